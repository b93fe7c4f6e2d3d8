import { format } from 'node:util';
import { CircuitBreaker, createFakeClock } from '@breakwater/breaker';
import { Registry } from 'prom-client';
import createDebug from 'debug';
import { afterEach, describe, expect, test } from 'vitest';
import { parseSamples, promtoolCheck, samplesOf } from '../test/support/exposition.js';
import { isDuplicateInstrumentNameError } from './errors.js';
import { instrumentRedisAdapter } from './instrument-redis-adapter.js';
import type {
  InstrumentableRedisAdapter,
  InstrumentableRedisAdapterEvents,
  RedisConnectionStateName,
} from './types.js';

/**
 * A scripted event source with the adapter's contract (the real adapter is exercised against a
 * real redis-server in test/redis-adapter.metrics.test.ts); it lets these tests drive exact
 * operation names and connection states.
 */
class ScriptedAdapter implements InstrumentableRedisAdapter {
  connectionState: RedisConnectionStateName = 'connecting';
  readonly breaker: CircuitBreaker;
  private readonly listeners = new Map<string, Set<(p: never) => void>>();

  constructor(readonly name: string) {
    this.breaker = new CircuitBreaker(name, { clock: createFakeClock() });
  }

  on<E extends keyof InstrumentableRedisAdapterEvents>(
    event: E,
    listener: (payload: InstrumentableRedisAdapterEvents[E]) => void,
  ): () => void {
    const set = this.listeners.get(event) ?? new Set();
    this.listeners.set(event, set);
    set.add(listener as (p: never) => void);
    return () => set.delete(listener as (p: never) => void);
  }

  emit<E extends keyof InstrumentableRedisAdapterEvents>(
    event: E,
    payload: InstrumentableRedisAdapterEvents[E],
  ): void {
    for (const l of this.listeners.get(event) ?? []) (l as (p: typeof payload) => void)(payload);
  }

  listenerCount(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }

  op(operation: string, result: 'success' | 'fallback' | 'error', reason?: 'timeout'): void {
    this.emit('operation', { operation, result, ...(reason ? { reason } : {}) });
  }
}

const scrape = async (registry: Registry): Promise<Map<string, number>> =>
  parseSamples(await registry.metrics());

const debugLines: string[] = [];
const originalLog = createDebug.log;
afterEach(() => {
  createDebug.log = originalLog;
  createDebug.disable();
  debugLines.length = 0;
});

describe('instrumentRedisAdapter', () => {
  test('connection up/state are read at scrape time; every state is exported', async () => {
    const adapter = new ScriptedAdapter('cache');
    const registry = new Registry();
    instrumentRedisAdapter(adapter, { registry });
    let s = await scrape(registry);
    expect(samplesOf(s, 'redis_connection_up')).toEqual({
      'redis_connection_up{client="cache"}': 0,
    });
    expect(samplesOf(s, 'redis_connection_state')).toEqual({
      'redis_connection_state{client="cache",state="connecting"}': 1,
      'redis_connection_state{client="cache",state="ready"}': 0,
      'redis_connection_state{client="cache",state="reconnecting"}': 0,
      'redis_connection_state{client="cache",state="closed"}': 0,
      'redis_connection_state{client="cache",state="failed"}': 0,
    });
    expect(samplesOf(s, 'redis_reconnects_total')).toEqual({
      'redis_reconnects_total{client="cache"}': 0,
    });
    // The adapter's breaker is instrumented too.
    expect(s.get('circuit_breaker_state{name="cache"}')).toBe(0);
    adapter.connectionState = 'ready';
    s = await scrape(registry);
    expect(s.get('redis_connection_up{client="cache"}')).toBe(1);
    expect(s.get('redis_connection_state{client="cache",state="ready"}')).toBe(1);
    expect(s.get('redis_connection_state{client="cache",state="connecting"}')).toBe(0);
    adapter.emit('reconnecting', {});
    adapter.emit('reconnecting', {});
    adapter.connectionState = 'reconnecting';
    s = await scrape(registry);
    expect(s.get('redis_reconnects_total{client="cache"}')).toBe(2);
    expect(s.get('redis_connection_up{client="cache"}')).toBe(0);
  });

  test('operations by result and fallbacks by reason, pre-zeroed per operation', async () => {
    const adapter = new ScriptedAdapter('cache');
    const registry = new Registry();
    instrumentRedisAdapter(adapter, { registry });
    expect(samplesOf(await scrape(registry), 'redis_operations_total')).toEqual({});
    adapter.op('session-get', 'success');
    adapter.op('session-get', 'fallback', 'timeout');
    adapter.op('session-get', 'fallback', 'timeout');
    adapter.emit('operation', { operation: 'session-get', result: 'fallback' }); // no reason
    adapter.op('rate-limit', 'error');
    const s = await scrape(registry);
    expect(samplesOf(s, 'redis_operations_total')).toEqual({
      'redis_operations_total{client="cache",operation="session-get",result="success"}': 1,
      'redis_operations_total{client="cache",operation="session-get",result="fallback"}': 3,
      'redis_operations_total{client="cache",operation="session-get",result="error"}': 0,
      'redis_operations_total{client="cache",operation="rate-limit",result="success"}': 0,
      'redis_operations_total{client="cache",operation="rate-limit",result="fallback"}': 0,
      'redis_operations_total{client="cache",operation="rate-limit",result="error"}': 1,
    });
    const fallbacks = samplesOf(s, 'redis_fallbacks_total');
    expect(Object.keys(fallbacks)).toHaveLength(18);
    expect(
      fallbacks['redis_fallbacks_total{client="cache",operation="session-get",reason="timeout"}'],
    ).toBe(2);
    expect(
      fallbacks['redis_fallbacks_total{client="cache",operation="session-get",reason="unknown"}'],
    ).toBe(1);
    expect(
      fallbacks[
        'redis_fallbacks_total{client="cache",operation="session-get",reason="circuit-open"}'
      ],
    ).toBe(0);
    expect(Object.values(fallbacks).reduce((a, b) => a + b, 0)).toBe(3);
    expect(promtoolCheck(await registry.metrics())).toEqual({ status: 0, output: '' });
  });

  test('operation names past maxOperations fold into "other", logged once', async () => {
    createDebug.enable('breakwater:metrics');
    createDebug.log = (...args: unknown[]) => void debugLines.push(format(...args));
    const adapter = new ScriptedAdapter('cache');
    const registry = new Registry();
    instrumentRedisAdapter(adapter, { registry, maxOperations: 2 });
    for (const op of ['a', 'b', 'c', 'd', 'a', 'c']) adapter.op(op, 'success');
    const ops = samplesOf(await scrape(registry), 'redis_operations_total');
    expect(ops).toEqual({
      'redis_operations_total{client="cache",operation="a",result="success"}': 2,
      'redis_operations_total{client="cache",operation="a",result="fallback"}': 0,
      'redis_operations_total{client="cache",operation="a",result="error"}': 0,
      'redis_operations_total{client="cache",operation="b",result="success"}': 1,
      'redis_operations_total{client="cache",operation="b",result="fallback"}': 0,
      'redis_operations_total{client="cache",operation="b",result="error"}': 0,
      'redis_operations_total{client="cache",operation="other",result="success"}': 3,
      'redis_operations_total{client="cache",operation="other",result="fallback"}': 0,
      'redis_operations_total{client="cache",operation="other",result="error"}': 0,
    });
    const capLines = debugLines.filter((l) => l.includes('distinct operation names'));
    expect(capLines).toHaveLength(1);
    expect(capLines[0]).toContain('more than 2 distinct operation names');
  });

  test('the default cap is 100 operation names; the 101st and later count as "other"', async () => {
    const adapter = new ScriptedAdapter('cache');
    const registry = new Registry();
    instrumentRedisAdapter(adapter, { registry });
    for (let i = 0; i < 103; i++) adapter.op(`op${i}`, 'success');
    const s = await scrape(registry);
    const operations = new Set(
      Object.keys(samplesOf(s, 'redis_operations_total')).map(
        (k) => /operation="([^"]+)"/.exec(k)![1],
      ),
    );
    expect(operations.size).toBe(101);
    expect(operations.has('op99')).toBe(true);
    expect(operations.has('op100')).toBe(false);
    expect(s.get('redis_operations_total{client="cache",operation="other",result="success"}')).toBe(
      3,
    );
  });

  test('two adapters in one registry; dispose removes one adapter and its breaker', async () => {
    const a = new ScriptedAdapter('sessions');
    const b = new ScriptedAdapter('cache');
    const registry = new Registry();
    const disposeA = instrumentRedisAdapter(a, { registry });
    expect(a.listenerCount()).toBe(2);
    instrumentRedisAdapter(b, { registry });
    a.op('get', 'success');
    b.op('get', 'error');
    let s = await scrape(registry);
    expect(
      s.get('redis_operations_total{client="sessions",operation="get",result="success"}'),
    ).toBe(1);
    expect(s.get('redis_operations_total{client="cache",operation="get",result="error"}')).toBe(1);
    expect(s.get('circuit_breaker_state{name="sessions"}')).toBe(0);
    disposeA();
    disposeA();
    expect(a.listenerCount()).toBe(0);
    s = await scrape(registry);
    expect([...s.keys()].filter((k) => k.includes('"sessions"'))).toEqual([]);
    expect(s.get('redis_operations_total{client="cache",operation="get",result="error"}')).toBe(1);
    expect(s.get('circuit_breaker_state{name="cache"}')).toBe(0);
    expect(promtoolCheck(await registry.metrics())).toEqual({ status: 0, output: '' });
  });

  test('the same adapter twice counts once; a second adapter with the same name is refused', async () => {
    const a = new ScriptedAdapter('cache');
    const registry = new Registry();
    const d1 = instrumentRedisAdapter(a, { registry });
    const d2 = instrumentRedisAdapter(a, { registry });
    expect(a.listenerCount()).toBe(2);
    a.op('get', 'success');
    expect(
      (await scrape(registry)).get(
        'redis_operations_total{client="cache",operation="get",result="success"}',
      ),
    ).toBe(1);
    expect(() => instrumentRedisAdapter(new ScriptedAdapter('cache'), { registry })).toThrow(
      expect.toSatisfy(isDuplicateInstrumentNameError),
    );
    d1();
    expect(a.listenerCount()).toBe(2);
    d2();
    expect(a.listenerCount()).toBe(0);
    expect((await scrape(registry)).size).toBe(0);
  });

  test('the adapter breaker instrumented separately survives the adapter dispose', async () => {
    const { instrumentBreaker } = await import('./instrument-breaker.js');
    const a = new ScriptedAdapter('cache');
    const registry = new Registry();
    const disposeBreaker = instrumentBreaker(a.breaker, { registry });
    const disposeAdapter = instrumentRedisAdapter(a, { registry });
    disposeAdapter();
    let s = await scrape(registry);
    expect(s.get('circuit_breaker_state{name="cache"}')).toBe(0);
    expect(s.has('redis_connection_up{client="cache"}')).toBe(false);
    disposeBreaker();
    s = await scrape(registry);
    expect(s.size).toBe(0);
  });

  test('a throwing connectionState getter does not break the scrape', async () => {
    const a = new ScriptedAdapter('cache');
    const registry = new Registry();
    instrumentRedisAdapter(a, { registry });
    Object.defineProperty(a, 'connectionState', {
      get() {
        throw new Error('boom');
      },
    });
    const s = await scrape(registry);
    expect(s.has('redis_connection_up{client="cache"}')).toBe(false);
    expect(samplesOf(s, 'redis_connection_state')).toEqual({});
    expect(s.get('redis_reconnects_total{client="cache"}')).toBe(0);
  });

  test('rejects a non-adapter', () => {
    const registry = new Registry();
    expect(() => instrumentRedisAdapter({} as never, { registry })).toThrow(/on\(\) method/);
    expect(() =>
      instrumentRedisAdapter({ on() {}, name: 'x', breaker: null } as never, { registry }),
    ).toThrow(/adapter.breaker must be a circuit breaker/);
  });
});
