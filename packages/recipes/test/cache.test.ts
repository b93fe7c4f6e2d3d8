import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { instrumentRedisAdapter } from '@breakwater/metrics';
import type { RedisErrorReport } from '@breakwater/redis-adapter';
import { metricSum } from '../../../test-support/prom-text.js';
import { createCache } from '../src/index.js';
import type { Cache } from '../src/index.js';
import {
  DEADLINE_MS,
  MARGIN_MS,
  collect,
  inject,
  timed,
  useEnv,
  waitFor,
  waitForRecovery,
} from './harness.js';
import type { Fault } from './harness.js';

const caches: Cache[] = [];
const env = useEnv(() => {
  for (const c of caches.splice(0)) c.dispose();
});

function cache(prefix: string, extra: Partial<Parameters<typeof createCache>[1]> = {}): Cache {
  const c = createCache(env.adapter, { prefix, ...extra });
  caches.push(c);
  return c;
}

describe('cache with Redis up', () => {
  it('get / set / update / delete with JSON values and TTLs', async () => {
    const c = cache('t1:');
    expect(await c.get('a')).toBeUndefined();
    expect(await c.set('a', { n: 1, list: [1, 'x', null] }, 5000)).toBe(true);
    expect(await c.get('a')).toEqual({ n: 1, list: [1, 'x', null] });
    const pttl = Number(await env.server.cli('PTTL', 't1:a'));
    expect(pttl).toBeGreaterThan(3000);
    expect(pttl).toBeLessThanOrEqual(5000);
    expect(await c.set('nul', null)).toBe(true);
    expect(await c.get('nul')).toBeNull();
    expect(await c.update<{ n: number }>('a', (v) => ({ n: (v?.n ?? 0) + 1 }))).toBe(true);
    expect(await c.get('a')).toEqual({ n: 2 });
    expect(await c.update('fresh', (v) => (v === undefined ? 'created' : 'wrong'))).toBe(true);
    expect(await c.get('fresh')).toBe('created');
    expect(await c.update('fresh', () => undefined)).toBe(true);
    expect(await env.server.cli('EXISTS', 't1:fresh')).toBe('0');
    expect(await c.delete('a')).toBe(true);
    expect(await c.get('a')).toBeUndefined();
    expect(c.stats()).toMatchObject({ degraded: 0, skippedWrites: 0 });
  });

  it('rejects caller bugs (bad key, TTL, unserialisable value) as TypeError/RangeError', async () => {
    const c = cache('t2:');
    await expect(c.set('k', undefined)).rejects.toThrow(TypeError);
    await expect(c.set('k', 1, 0)).rejects.toThrow(RangeError);
    await expect(c.get(42 as unknown as string)).rejects.toThrow(/key must be a string/);
    await expect(c.wrap('k', undefined, 'no' as unknown as () => 1)).rejects.toThrow(TypeError);
  });

  it('a corrupt stored value is a miss, reported and counted as fallback `corrupt`, never an exception', async () => {
    const c = cache('t3:');
    const events = collect(c);
    const registry = new Registry();
    const dispose = instrumentRedisAdapter(env.adapter, { registry });
    const reports: RedisErrorReport[] = [];
    const offReport = env.adapter.on('report', (r) => reports.push(r));
    try {
      await env.server.cli('SET', 't3:bad', '{not json');
      expect(await c.get('bad')).toBeUndefined();
      expect(await c.wrap('bad', 1000, () => 'loaded')).toBe('loaded');
      expect(events.map((e) => [e.operation, e.reason, e.outcome])).toEqual([
        ['get', 'corrupt', 'miss'],
        ['wrap', 'corrupt', 'loader'],
      ]);
      expect(c.stats().degradedByReason.corrupt).toBe(2);
      // Where operators look: a degraded answer with its reason, not an error.
      const text = await registry.metrics();
      const get = { client: 'recipes-test', operation: 'cache.get' };
      expect(metricSum(text, 'redis_fallbacks_total', { ...get, reason: 'corrupt' })).toBe(2);
      expect(metricSum(text, 'redis_operations_total', { ...get, result: 'fallback' })).toBe(2);
      expect(metricSum(text, 'redis_operations_total', { ...get, result: 'error' })).toBe(0);
      // The adapter's one reporter, one line format (the second is rate-limited).
      expect(reports.map((r) => [r.kind, r.message])).toEqual([
        ['corrupt', '[cache.get] Redis error: corrupt: stored value is not valid JSON'],
      ]);
      // Redis answered: the breaker counted nothing, health has no error.
      expect(env.adapter.breaker.state).toBe('closed');
      expect(env.adapter.breaker.getStats().failureCount).toBe(0);
      expect(env.adapter.health().lastError).toBeNull();
    } finally {
      offReport();
      dispose();
    }
    await waitFor(async () => (await env.server.cli('GET', 't3:bad')) === '"loaded"');
  });

  it('a data error (WRONGTYPE) is a miss / skipped write, reported as data, never thrown', async () => {
    const c = cache('t5:');
    await env.server.cli('HSET', 't5:h', 'f', 'v');
    expect(await c.get('h')).toBeUndefined();
    expect(await c.update('h', () => 1)).toBe(false);
    expect(c.stats().degradedByReason).toEqual({ data: 2 });
    // The failed update queued an invalidation: wrap skips the read and loads.
    expect(await c.wrap('h', 1000, () => 'loaded')).toBe('loaded');
    // The store is fire-and-forget: until it lands the key is still a hash, and GET on a
    // hash is itself a WRONGTYPE error, so look at the type first.
    await waitFor(
      async () =>
        (await env.server.cli('TYPE', 't5:h')) === 'string' &&
        (await env.server.cli('GET', 't5:h')) === '"loaded"',
    );
  });

  it('wrap loads once per key for concurrent callers and stores the value', async () => {
    const c = cache('t4:');
    let loads = 0;
    const loader = async () => {
      loads += 1;
      await new Promise((r) => setTimeout(r, 50));
      return { v: 'x' };
    };
    const results = await Promise.all(
      Array.from({ length: 20 }, () => c.wrap('k', 10_000, loader)),
    );
    expect(results.every((r) => r.v === 'x')).toBe(true);
    expect(loads).toBe(1);
    expect(c.stats()).toMatchObject({ loads: 1, singleFlightJoins: 19 });
    await waitFor(async () => (await env.server.cli('GET', 't4:k')) === '{"v":"x"}');
    expect(await c.wrap('k', 10_000, loader)).toEqual({ v: 'x' });
    expect(loads).toBe(1);
    await expect(c.wrap('err', 1000, () => Promise.reject(new Error('db down')))).rejects.toThrow(
      'db down',
    );
  });

  it('deleteByPrefix and clear SCAN in several batches and never touch other prefixes', async () => {
    const c = cache('app:c*[1]:', { scanCount: 10 });
    const keys = Array.from({ length: 250 }, (_, i) => `${i % 2 ? 'user' : 'org'}:${i}`);
    await Promise.all(keys.map((k) => c.set(k, k)));
    // Neighbours: same text without the glob chars, a longer prefix, a different prefix.
    await env.server.cli('SET', 'app:c1:user:1', 'x');
    await env.server.cli('SET', 'app:cX[1]:user:1', 'x');
    await env.server.cli('SET', 'other:user:1', 'x');
    await env.server.cli('CONFIG', 'RESETSTAT');
    expect(await c.deleteByPrefix('user:')).toEqual({ deleted: 125, complete: true });
    expect(await c.get('org:0')).toBe('org:0');
    expect(await c.clear()).toEqual({ deleted: 125, complete: true });
    expect(Number(await env.server.cli('DBSIZE'))).toBe(3);
    const stats = await env.server.cli('INFO', 'commandstats');
    const scans = Number(/cmdstat_scan:calls=(\d+)/.exec(stats)?.[1] ?? 0);
    expect(scans).toBeGreaterThan(2);
    expect(stats).not.toMatch(/cmdstat_keys:/);
  });

  it('a read answered after a set or delete of its key never brings the old value back (L1 or Redis)', async () => {
    // A new user's report (2026-12-07): a GET sent before delete(k) and answered after it
    // refilled L1, and the old value was served for L1's whole TTL (50 of 50 tries).
    const c = cache('race:', { l1: { maxEntries: 100, ttlMs: 60_000 } });
    for (let i = 0; i < 20; i++) {
      await env.server.cli('SET', `race:d${i}`, JSON.stringify('old'));
      const [, deleted] = await Promise.all([c.get(`d${i}`), c.delete(`d${i}`)]);
      expect(deleted).toBe(true);
      expect(await c.get(`d${i}`)).toBeUndefined();
      await env.server.cli('SET', `race:s${i}`, JSON.stringify('old'));
      const [, set] = await Promise.all([c.get(`s${i}`), c.set(`s${i}`, 'new')]);
      expect(set).toBe(true);
      expect(await c.get(`s${i}`)).toBe('new');
    }
    expect(await env.server.cli('EXISTS', 'race:d0')).toBe('0');
  });

  it('update() does not undo a set made in this process while it read the key', async () => {
    const c = cache('urace:');
    expect(await c.set('k', 'a')).toBe(true);
    let calls = 0;
    const [updated, set] = await Promise.all([
      c.update<string>('k', (v) => {
        calls += 1;
        return `${v}+1`;
      }),
      c.set('k', 'b'),
    ]);
    expect(set).toBe(true);
    expect(updated).toBe(false);
    expect(calls).toBe(0);
    expect(await c.get('k')).toBe('b');
    expect(await env.server.cli('GET', 'urace:k')).toBe(JSON.stringify('b'));
    // Alone, it applies.
    expect(await c.update<string>('k', (v) => `${v}+1`)).toBe(true);
    expect(await c.get('k')).toBe('b+1');
  });

  it('a wrap() in flight undoes no later set or delete, and later wraps do not join it', async () => {
    // Same report: a wrap whose loader finished after delete(k) wrote its value back for the
    // whole TTL, and one finishing after set(k) both overwrote it and served later wraps.
    const c = cache('wrace:', { l1: { maxEntries: 100, ttlMs: 60_000 } });
    const slow = (value: string) => () =>
      new Promise<string>((resolve) => setTimeout(() => resolve(value), 100));
    const loading = c.wrap('k', 60_000, slow('from-db-before-delete'));
    await new Promise((r) => setTimeout(r, 20));
    expect(await c.delete('k')).toBe(true);
    expect(await loading).toBe('from-db-before-delete'); // its own callers get it
    await new Promise((r) => setTimeout(r, 50)); // the write-back would have landed by now
    expect(await env.server.cli('EXISTS', 'wrace:k')).toBe('0');
    expect(await c.get('k')).toBeUndefined();

    const old = c.wrap('k2', 60_000, slow('old'));
    await new Promise((r) => setTimeout(r, 20));
    expect(await c.set('k2', 'new')).toBe(true);
    // A wrap after the set reads the new value; it does not join the load started before.
    expect(await c.wrap('k2', 60_000, slow('loaded-again'))).toBe('new');
    expect(await old).toBe('old');
    await new Promise((r) => setTimeout(r, 50));
    expect(await env.server.cli('GET', 'wrace:k2')).toBe(JSON.stringify('new'));
    expect(await c.get('k2')).toBe('new');
  });

  it('L1 serves hot keys without Redis and bounds staleness by its TTL', async () => {
    const clock = { t: 0, now: () => clock.t };
    const c = cache('t6:', { l1: { maxEntries: 10, ttlMs: 1000 }, clock });
    await c.set('hot', 1);
    await env.server.cli('SET', 't6:hot', '2'); // another process changes it
    expect(await c.get('hot')).toBe(1); // served from L1: stale, within the bound
    clock.t += 1000;
    expect(await c.get('hot')).toBe(2);
    expect(c.stats().l1Hits).toBe(1);
  });
});

describe.each<Fault>(['killed', 'frozen'])('cache with Redis %s', (fault) => {
  it('no operation throws: misses, skipped writes, loader; each reported and counted; bounded latency', async () => {
    const c = cache(`f-${fault}:`);
    const events = collect(c);
    await c.set('k', 'v');
    const end = await inject(env, fault);
    let updaterCalls = 0;
    const ops: Array<[string, () => Promise<unknown>, unknown]> = [
      ['get', () => c.get('k'), undefined],
      ['wrap', () => c.wrap('w', 1000, () => 'loaded'), 'loaded'],
      ['set', () => c.set('k', 'v2'), false],
      [
        'update',
        () =>
          c.update('k', () => {
            updaterCalls += 1;
            return 'v3';
          }),
        false,
      ],
      ['delete', () => c.delete('k'), false],
      ['deleteByPrefix', () => c.deleteByPrefix('x'), { deleted: 0, complete: false }],
      ['clear', () => c.clear(), { deleted: 0, complete: false }],
    ];
    for (const [name, op, expected] of ops) {
      const { value, ms } = await timed(op);
      expect(value, name).toEqual(expected);
      expect(ms, name).toBeLessThan(DEADLINE_MS + MARGIN_MS);
    }
    expect(updaterCalls).toBe(0); // update() could not read the current value: fn not called
    // wrap reports its read (answered by the loader) and its skipped write-back.
    // (The write-back runs in the background, so wait for its report, bounded, and compare
    // without order: on a busy box it may settle after the last operation above.)
    await waitFor(() => events.length >= 8, 5000, 'the background write-back to be reported');
    expect(events.map((e) => `${e.operation}:${e.outcome}`).sort()).toEqual(
      [
        'get:miss',
        'wrap:loader',
        'wrap:skip',
        'set:skip',
        'update:skip',
        'delete:skip',
        'deleteByPrefix:skip',
        'clear:skip',
      ].sort(),
    );
    for (const e of events) {
      expect(['connection', 'not-ready', 'timeout', 'circuit-open']).toContain(e.reason);
      expect(e).toMatchObject({ recipe: 'cache', name: `f-${fault}:` });
      expect(JSON.stringify(e)).not.toContain('"k"');
    }
    const s = c.stats();
    expect(s.degraded).toBe(8);
    expect(s.degradedByOperation).toMatchObject({ get: 1, set: 1, wrap: 2, clear: 1 });
    expect(s.skippedWrites).toBe(6);
    // clear() could not run: the whole prefix is pending (one entry).
    expect(s.pendingInvalidations).toBe(1);
    // Once the breaker is open or the client not ready, wrap reaches its loader without waiting.
    // (Killed: the socket closed; frozen: the adapter replaced the connection after the
    // deadline overrun and cannot finish a handshake with a stopped server.)
    await waitFor(() => env.adapter.connectionState !== 'ready');
    const fast = await timed(() => c.wrap('w2', 1000, () => 'quick'));
    expect(fast.value).toBe('quick');
    expect(fast.ms).toBeLessThan(DEADLINE_MS);
    await end();
    // Restarted / resumed: pending invalidations (here: the whole prefix) are replayed, then
    // the cache uses Redis again.
    await waitForRecovery(env, async () => c.stats().pendingInvalidations === 0);
    expect(c.stats().replayedInvalidations).toBe(1);
    expect(await c.set('k', 'after')).toBe(true);
    expect(await c.get('k')).toBe('after');
  });
});

describe('cache recovery after a restart', () => {
  it('a restarted server is used again, with no throw during the restart', async () => {
    const c = cache('r1:');
    await c.set('a', 1);
    const restarting = env.server.restart();
    const during = await Promise.all([c.get('a'), c.set('b', 2), c.wrap('w', 1000, () => 'L')]);
    expect(during[2]).toBe('L');
    await restarting;
    await waitForRecovery(env, async () => (await c.set('probe', 1)) === true);
    expect(await c.set('a', 3)).toBe(true);
    expect(await c.get('a')).toBe(3);
  });

  it('L1 keeps serving while Redis is frozen; invalidations made meanwhile are replayed', async () => {
    const c = cache('r2:', { l1: { maxEntries: 100, ttlMs: 60_000 } });
    const invalidations: string[] = [];
    c.on('invalidation', (e) => invalidations.push(e.type));
    await c.set('hot', 'h');
    await c.set('gone', 'old');
    await c.set('changed', 'old');
    env.server.pause();
    expect(await c.get('hot')).toBe('h'); // L1, no Redis involved
    expect(await c.delete('gone')).toBe(false);
    expect(await c.set('changed', 'new')).toBe(false);
    expect(await c.get('gone')).toBeUndefined(); // L1 entry dropped at once
    expect(await c.get('changed')).toBe('new'); // this process sees its own write (L1)
    expect(c.stats().pendingInvalidations).toBe(2);
    env.server.resume();
    await waitFor(() => c.stats().pendingInvalidations === 0, 15_000, 'replay');
    expect(await env.server.cli('EXISTS', 'r2:gone', 'r2:changed')).toBe('0');
    expect(await env.server.cli('GET', 'r2:hot')).toBe('"h"');
    expect(invalidations).toEqual(['queued', 'queued', 'replayed']);
    expect(c.stats().replayedInvalidations).toBe(2);
  });

  it('after dispose(), flushPendingInvalidations() replays on demand', async () => {
    const c = cache('r4:');
    await c.set('a', 1);
    c.dispose();
    env.server.pause();
    expect(await c.delete('a')).toBe(false);
    env.server.resume();
    await waitFor(() => env.adapter.connectionState === 'ready', 15_000);
    await waitFor(async () => {
      await c.flushPendingInvalidations();
      return c.stats().pendingInvalidations === 0;
    }, 15_000);
    expect(await env.server.cli('EXISTS', 'r4:a')).toBe('0');
  });

  it('an overflowing pending set clears the whole prefix on recovery, reported', async () => {
    const c = cache('r3:', { maxPendingInvalidations: 2 });
    const other = cache('r3x:');
    for (const k of ['a', 'b', 'c', 'keep']) await c.set(k, k);
    await other.set('a', 'other');
    env.server.pause();
    await c.delete('a');
    await c.delete('b');
    expect(c.stats().invalidationOverflows).toBe(0);
    await c.delete('c');
    expect(c.stats()).toMatchObject({ invalidationOverflows: 1, pendingInvalidations: 1 });
    env.server.resume();
    await waitFor(() => c.stats().pendingInvalidations === 0, 15_000, 'replay');
    expect(await env.server.cli('KEYS', 'r3:*')).toBe('');
    expect(await other.get('a')).toBe('other');
  });
});
