/**
 * @breakwater/metrics against a REAL redis-server and a real @breakwater/redis-adapter:
 * connection up/down, reconnects and fallbacks per operation, read from the exposition.
 */
import { constantBackoff } from '@breakwater/breaker';
import { createRedisAdapter } from '@breakwater/redis-adapter';
import { instrumentRedisAdapter } from '@breakwater/metrics';
import type { InstrumentableRedisAdapter } from '@breakwater/metrics';
import { Registry } from 'prom-client';
import type { OpenMetricsContentType } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startRedis, stopAllRedis } from '../../../test-support/redis-server.js';
import type { RedisServer } from '../../../test-support/redis-server.js';
import { parseSamples, promtoolCheck, samplesOf } from './support/exposition.js';

type Adapter = ReturnType<typeof createRedisAdapter>;
// The real adapter satisfies the structural interface (a compile-time check).
export const asInstrumentable = (a: Adapter): InstrumentableRedisAdapter => a;

let server: RedisServer;
const adapters: Adapter[] = [];

beforeAll(async () => {
  server = await startRedis();
});
afterEach(async () => {
  await Promise.all(adapters.splice(0).map((a) => a.close()));
});
afterAll(stopAllRedis);

function newAdapter(name: string): Adapter {
  const adapter = createRedisAdapter({
    url: server.url,
    name,
    operationTimeout: 500,
    reconnectGrace: 0,
    connectTimeout: 1000,
    reconnectBackoff: constantBackoff(50),
    breaker: { failureThreshold: 3, failureRateThreshold: 0.5, resetTimeout: 200 },
  });
  adapters.push(adapter);
  return adapter;
}

const scrape = async (registry: Registry): Promise<Map<string, number>> =>
  parseSamples(await registry.metrics());

/** Polls the exposition (real time; generous bound for a busy 2-core box). */
async function waitForSample(
  registry: Registry,
  series: string,
  predicate: (v: number | undefined) => boolean,
  timeoutMs = 15_000,
): Promise<Map<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await scrape(registry);
    if (predicate(s.get(series))) return s;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${series}; last value ${String(s.get(series))}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

const get = (a: Adapter, name: string): Promise<string | null> =>
  a.executeRedisOperation(
    (c) => c.get('metrics:k'),
    () => 'fallback',
    name,
  );

describe('instrumentRedisAdapter with a real Redis', () => {
  test('connection up/down, reconnects and fallbacks per operation', async () => {
    const adapter = newAdapter('sessions');
    const registry = new Registry();
    instrumentRedisAdapter(adapter, { registry });
    const reported: { operation: string; result: string; reason?: string }[] = [];
    adapter.on('operation', (e) => reported.push(e));
    let s = await scrape(registry);
    expect(s.get('redis_connection_up{client="sessions"}')).toBe(0);
    await adapter.connect();
    s = await scrape(registry);
    expect(s.get('redis_connection_up{client="sessions"}')).toBe(1);
    expect(s.get('redis_connection_state{client="sessions",state="ready"}')).toBe(1);
    expect(s.get('redis_reconnects_total{client="sessions"}')).toBe(0);

    await server.cli('SET', 'metrics:k', 'v');
    expect(await get(adapter, 'session-get')).toBe('v');
    expect(await get(adapter, 'session-get')).toBe('v');

    await server.kill();
    await waitForSample(registry, 'redis_connection_up{client="sessions"}', (v) => v === 0);
    // Calls during the outage fall back; the breaker opens after 3 failures.
    for (let i = 0; i < 5; i++) expect(await get(adapter, 'session-get')).toBe('fallback');
    expect(await get(adapter, 'rate-limit')).toBe('fallback');
    s = await waitForSample(registry, 'redis_reconnects_total{client="sessions"}', (v) => v! >= 1);
    expect(oneHotSum(s, 'sessions')).toBe(1);
    expect(s.get('redis_connection_state{client="sessions",state="ready"}')).toBe(0);

    s = await scrape(registry);
    expect(
      s.get('redis_operations_total{client="sessions",operation="session-get",result="success"}'),
    ).toBe(2);
    expect(
      s.get('redis_operations_total{client="sessions",operation="session-get",result="fallback"}'),
    ).toBe(5);
    expect(
      s.get('redis_operations_total{client="sessions",operation="rate-limit",result="fallback"}'),
    ).toBe(1);
    expect(
      s.get('redis_operations_total{client="sessions",operation="session-get",result="error"}'),
    ).toBe(0);
    const fallbacks = samplesOf(s, 'redis_fallbacks_total');
    const bySessionGet = Object.entries(fallbacks).filter(([k]) => k.includes('"session-get"'));
    expect(bySessionGet).toHaveLength(9);
    expect(bySessionGet.reduce((n, [, v]) => n + v, 0)).toBe(5);
    // Per reason, exactly what the adapter reported in its own events.
    const expected = new Map<string, number>();
    for (const e of reported) {
      if (e.result === 'fallback' && e.operation === 'session-get') {
        expected.set(e.reason!, (expected.get(e.reason!) ?? 0) + 1);
      }
    }
    expect(expected.size).toBeGreaterThan(0);
    for (const [k, v] of bySessionGet) {
      expect(v, k).toBe(expected.get(/reason="([^"]+)"/.exec(k)![1]!) ?? 0);
    }
    expect(s.get('circuit_breaker_state{name="sessions"}')).toBe(2);
    expect(
      s.get('circuit_breaker_state_transitions_total{name="sessions",from="closed",to="open"}'),
    ).toBe(1);
    // Every circuit-open fallback is one short-circuit counted by the breaker metrics.
    const circuitOpen = reported.filter((e) => e.reason === 'circuit-open').length;
    expect(circuitOpen).toBeGreaterThan(0);
    expect(
      s.get('circuit_breaker_rejected_total{name="sessions",reason="open"}')! +
        s.get('circuit_breaker_rejected_total{name="sessions",reason="half-open-full"}')!,
    ).toBe(circuitOpen);
    // With reconnectGrace 0 the calls made while the client reconnects fall back with
    // `not-ready` before the circuit opens; they are what opened it, so each one must count as
    // a breaker failure (a not-ready call that did not count would leave the breaker closed).
    const notReady = reported.filter((e) => e.reason === 'not-ready').length;
    expect(notReady).toBeGreaterThanOrEqual(3);
    const reachedBreaker = reported.filter(
      (e) => e.result === 'fallback' && e.reason !== 'circuit-open',
    ).length;
    expect(s.get('circuit_breaker_failures_total{name="sessions"}')).toBe(reachedBreaker);
    expect(s.get('circuit_breaker_successes_total{name="sessions"}')).toBe(2);
    expect(promtoolCheck(await registry.metrics())).toEqual({ status: 0, output: '' });

    const reconnectsDuringOutage = s.get('redis_reconnects_total{client="sessions"}')!;
    await server.restart();
    s = await waitForSample(registry, 'redis_connection_up{client="sessions"}', (v) => v === 1);
    expect(s.get('redis_connection_state{client="sessions",state="ready"}')).toBe(1);
    expect(s.get('redis_reconnects_total{client="sessions"}')).toBeGreaterThanOrEqual(
      reconnectsDuringOutage,
    );
    // Redis is back: the breaker closes exactly once, either by the reconnect probe (the first
    // healthy connection stands in for the half-open trial: open -> closed) or, if the probe
    // raced the reset timeout, by a trial call (half-open -> closed).
    await new Promise((r) => setTimeout(r, 250));
    await server.cli('SET', 'metrics:k', 'back');
    expect(await get(adapter, 'session-get')).toBe('back');
    s = await scrape(registry);
    expect(s.get('circuit_breaker_state{name="sessions"}')).toBe(0);
    const closedFrom = (from: string): number =>
      s.get(
        `circuit_breaker_state_transitions_total{name="sessions",from="${from}",to="closed"}`,
      ) ?? 0;
    expect(closedFrom('open') + closedFrom('half-open')).toBe(1);
    expect(
      s.get('redis_operations_total{client="sessions",operation="session-get",result="success"}'),
    ).toBe(3);
  });

  test('two adapters in one registry, operation-name cap, dispose', async () => {
    const a = newAdapter('cache');
    const b = newAdapter('limits');
    await Promise.all([a.connect(), b.connect()]);
    const registry = new Registry();
    const disposeA = instrumentRedisAdapter(a, { registry, maxOperations: 2 });
    instrumentRedisAdapter(b, { registry });
    // The same adapter in a second, OpenMetrics registry: an independent instrumentation.
    const om = new Registry<OpenMetricsContentType>();
    om.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    instrumentRedisAdapter(b, { registry: om });
    for (const op of ['one', 'two', 'three', 'four']) await get(a, op);
    await get(b, 'one');
    let s = await scrape(registry);
    expect(samplesOf(s, 'redis_operations_total')).toEqual({
      'redis_operations_total{client="cache",operation="one",result="success"}': 1,
      'redis_operations_total{client="cache",operation="one",result="fallback"}': 0,
      'redis_operations_total{client="cache",operation="one",result="error"}': 0,
      'redis_operations_total{client="cache",operation="two",result="success"}': 1,
      'redis_operations_total{client="cache",operation="two",result="fallback"}': 0,
      'redis_operations_total{client="cache",operation="two",result="error"}': 0,
      'redis_operations_total{client="cache",operation="other",result="success"}': 2,
      'redis_operations_total{client="cache",operation="other",result="fallback"}': 0,
      'redis_operations_total{client="cache",operation="other",result="error"}': 0,
      'redis_operations_total{client="limits",operation="one",result="success"}': 1,
      'redis_operations_total{client="limits",operation="one",result="fallback"}': 0,
      'redis_operations_total{client="limits",operation="one",result="error"}': 0,
    });
    expect(s.get('redis_connection_up{client="cache"}')).toBe(1);
    expect(s.get('redis_connection_up{client="limits"}')).toBe(1);
    const omText = await om.metrics();
    expect(omText).toContain('# TYPE redis_operations counter\n');
    expect(omText).toContain(
      'redis_operations_total{client="limits",operation="one",result="success"} 1\n',
    );
    expect(omText).toContain('redis_connection_up{client="limits"} 1\n');
    expect(omText).not.toContain('client="cache"');
    expect(omText.endsWith('# EOF\n')).toBe(true);
    // A data error is counted as "error" and rethrown.
    await server.cli('HSET', 'metrics:h', 'f', 'v');
    await expect(
      b.executeRedisOperation(
        (c) => c.get('metrics:h'),
        () => 'fallback',
        'one',
      ),
    ).rejects.toThrow(/WRONGTYPE/);
    disposeA();
    await get(a, 'one');
    s = await scrape(registry);
    expect([...s.keys()].filter((k) => k.includes('"cache"'))).toEqual([]);
    expect(s.get('redis_operations_total{client="limits",operation="one",result="error"}')).toBe(1);
    expect(promtoolCheck(await registry.metrics())).toEqual({ status: 0, output: '' });
    // Closing is visible at the next scrape.
    await b.close();
    s = await scrape(registry);
    expect(s.get('redis_connection_up{client="limits"}')).toBe(0);
    expect(s.get('redis_connection_state{client="limits",state="closed"}')).toBe(1);
  });
});

/** Sum of the one-hot connection-state series of `client` (exactly 1 when well-formed). */
function oneHotSum(s: Map<string, number>, client: string): number {
  return Object.entries(samplesOf(s, 'redis_connection_state'))
    .filter(([k]) => k.includes(`client="${client}"`))
    .reduce((n, [, v]) => n + v, 0);
}
