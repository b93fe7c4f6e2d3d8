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
 * transitions, in ms since it started), for the message of a failure: a spurious degraded
 * answer while Redis was healthy (seen rarely on loaded CI machines, cause not yet known) then
 * says which operation fell back, why, and when. `text()` also says when each request odd to
 * the test was sent, if given.
 */
export function adapterTimeline(adapter: TimelineAdapter): {
  readonly t0: number;
  text(odd?: readonly HttpSample[]): string;
  stop(): void;
} {
  const t0 = performance.now();
  const lines: string[] = [];
  const at = (): number => Math.round(performance.now() - t0);
  const offs = [
    adapter.on('operation', (e) => {
      if (e.result !== 'success') lines.push(`${at()} ${e.operation} ${e.result} ${e.reason}`);
    }),
    adapter.on('connectionState', (e) => lines.push(`${at()} ${e.from}->${e.to}`)),
    adapter.breaker.on('stateChange', (e) =>
      lines.push(`${at()} breaker ${e.from}->${e.to} (${e.reason})`),
    ),
  ];
  return {
    t0,
    text: (odd = []) =>
      `odd requests sent at ${odd.map((x) => Math.round(x.start - t0)).join(', ')} ms; adapter: ${lines.slice(-40).join('; ')}`,
    stop: () => {
      for (const off of offs) off();
    },
  };
}
