/**
 * Shared set-up of the framework-integration tests: an HTTP server on a free loopback port with
 * /metrics from @breakwater/metrics over the test's adapter, and the bounds every drill asserts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { instrumentRedisAdapter, metricsHandler } from '@breakwater/metrics';
import type { InstrumentableRedisAdapter } from '@breakwater/metrics';
import { Registry } from 'prom-client';
import { metricSum } from '../../../test-support/prom-text.js';
import type { HttpSample } from '../../../test-support/http-load.js';
import { summarize } from '../../../test-support/http-load.js';
import { DEADLINE_MS } from './harness.js';

/** Every request of a drill is answered within the deadline plus this, in ms (issue 12). */
export const ANSWER_MARGIN_MS = 100;

export interface TestServer {
  port: number;
  registry: Registry;
  /** Sum of `redis_fallbacks_total` for `operation`, read from a live /metrics scrape. */
  fallbacks(operation: string): Promise<number>;
  /** `redis_connection_up` from a live /metrics scrape. */
  connectionUp(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Serves `handler` (an express app, or any request listener) plus metrics over `adapter`
 * (single-server, Cluster or Sentinel).
 */
export async function serve(
  adapter: InstrumentableRedisAdapter,
  handler: http.RequestListener,
): Promise<TestServer> {
  const registry = new Registry();
  const dispose = instrumentRedisAdapter(adapter, { registry });
  const metrics = metricsHandler(registry);
  const server = http.createServer((req, res) => {
    if (req.url === '/metrics') metrics(req, res);
    else handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const scrape = (): Promise<string> =>
    fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
  return {
    port,
    registry,
    async fallbacks(operation) {
      return metricSum(await scrape(), 'redis_fallbacks_total', { operation });
    },
    async connectionUp() {
      return metricSum(await scrape(), 'redis_connection_up');
    },
    async close() {
      dispose();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The bounds of issue 12 over a drill's samples: nothing hung, nothing slower than the
 * deadline + 100 ms, no 5xx, every status among `allowed`. Returns the summary for the notes.
 */
export function expectAnsweredInTime(
  samples: readonly HttpSample[],
  allowed: readonly number[],
  expect: (
    v: unknown,
    message?: string,
  ) => {
    toBe(v: unknown): void;
    toBeLessThanOrEqual(v: number): void;
  },
  /** Appended to the message of an unexpected status (e.g. an {@link adapterTimeline}'s text). */
  context: (odd: readonly HttpSample[]) => string = () => '',
): ReturnType<typeof summarize> {
  const s = summarize(samples);
  const odd = samples.filter((x) => !allowed.includes(x.status));
  const unexpected = odd.map((x) => x.status);
  expect(s.hung, `hung requests ${JSON.stringify(s)}`).toBe(0);
  expect(
    unexpected.join(','),
    `unexpected statuses ${JSON.stringify(s)}, first body: ${odd[0]?.body.slice(0, 600)}` +
      (odd.length === 0 ? '' : `; ${context(odd)}`),
  ).toBe('');
  expect(s.max, `slowest answer ${JSON.stringify(s)}`).toBeLessThanOrEqual(
    DEADLINE_MS + ANSWER_MARGIN_MS,
  );
  return s;
}

/** The part of an adapter {@link adapterTimeline} listens to. */
interface TimelineAdapter {
  on(
    event: 'operation',
    l: (e: { operation: string; result: string; reason?: string }) => void,
  ): () => void;
  on(event: 'connectionState', l: (e: { from: string; to: string }) => void): () => void;
  readonly breaker: {
    on(
      event: 'stateChange',
      l: (e: { from: string; to: string; reason: string }) => void,
    ): () => void;
  };
}

/**
 * What an adapter did during a drill (operations that did not succeed, connection and breaker
 * transitions, in ms since it started), for the message of a failure: an unexpected degraded
 * answer then says which operation fell back, why, and when. `text(odd)` says when each odd
 * request was sent and answered, and what the adapter did from 50 ms before the first was sent
 * to 50 ms after the last was answered (the last 40 entries when nothing falls in that span).
 * It found that a request sent just before a fault and answered after it was counted as 'up';
 * outageUnderLoad now counts such a request as 'outage'.
 */
export function adapterTimeline(adapter: TimelineAdapter): {
  readonly t0: number;
  text(odd?: readonly HttpSample[]): string;
  stop(): void;
} {
  const t0 = performance.now();
  const lines: { at: number; text: string }[] = [];
  const at = (): number => Math.round(performance.now() - t0);
  const add = (text: string): void => void lines.push({ at: at(), text });
  const offs = [
    adapter.on('operation', (e) => {
      if (e.result !== 'success') add(`${e.operation} ${e.result} ${e.reason}`);
    }),
    adapter.on('connectionState', (e) => add(`${e.from}->${e.to}`)),
    adapter.breaker.on('stateChange', (e) => add(`breaker ${e.from}->${e.to} (${e.reason})`)),
  ];
  return {
    t0,
    text(odd = []) {
      const from = Math.min(...odd.map((x) => x.start - t0)) - 50;
      const to = Math.max(...odd.map((x) => x.start + x.ms - t0)) + 50;
      const near = lines.filter((l) => l.at >= from && l.at <= to);
      const shown = near.length > 0 ? near.slice(0, 40) : lines.slice(-40);
      const sent = odd.map((x) => `${Math.round(x.start - t0)}→${Math.round(x.start + x.ms - t0)}`);
      return `odd requests sent→answered at ${sent.join(', ')} ms; adapter: ${shown.map((l) => `${l.at} ${l.text}`).join('; ')}`;
    },
    stop: () => {
      for (const off of offs) off();
    },
  };
}
