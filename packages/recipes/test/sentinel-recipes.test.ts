/**
 * Every recipe over a real Sentinel set (1 master, 1 replica, 3 sentinels, quorum 2): served by
 * the master; with the master SIGKILLed each recipe answers from its outage contract by its
 * deadline; after the promotion they are served by the new master.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAllRedis } from '../../../test-support/redis-server.js';
import { startSentinelSet, type SentinelSetHandle } from '../../../test-support/sentinel.js';
import { createRedisSentinelAdapter, type RedisSentinelAdapter } from '@breakwater/redis-adapter';
import {
  createCache,
  createRateLimiter,
  createSessionStore,
  createTokenStore,
} from '../src/index.js';
import { waitFor } from './harness.js';

const DEADLINE = 500;
/** Allowed lateness of a degraded answer on a loaded 2-core machine. */
const MARGIN = 1000;

let set: SentinelSetHandle;
let adapter: RedisSentinelAdapter;

beforeAll(async () => {
  set = await startSentinelSet({ name: 'recipes' });
  adapter = createRedisSentinelAdapter({
    sentinel: { name: set.masterName, sentinelRootNodes: set.sentinelRootNodes },
    name: 'recipes-sentinel',
    operationTimeout: DEADLINE,
    connectTimeout: 1000,
    breaker: { failureThreshold: 5, failureRateThreshold: 0.5, resetTimeout: 500 },
    reporter: () => {},
  });
  await adapter.connect();
});

afterAll(async () => {
  await adapter?.close();
  await set?.stop();
  await stopAllRedis();
});

describe('recipes over a real Sentinel set', () => {
  it('serve from the master, degrade while it is killed, and recover after the promotion', async () => {
    const cache = createCache(adapter, { prefix: 'c:', defaultTtlMs: 60_000 });
    const limiter = createRateLimiter(adapter, {
      name: 'api',
      limit: 2,
      windowMs: 60_000,
      onOutage: 'open',
    });
    const sessions = createSessionStore<string>(adapter, { prefix: 's:', ttlMs: 60_000 });
    const tokens = createTokenStore<string>(adapter, { prefix: 't:', ttlMs: 60_000 });

    // Redis up.
    expect(await cache.set('a', 1)).toBe(true);
    expect(await cache.get('a')).toBe(1);
    expect(await cache.wrap('b', undefined, () => 2)).toBe(2);
    expect((await cache.deleteByPrefix('a')).deleted).toBe(1);
    expect(await sessions.set('sid', 'ada')).toEqual({ status: 'ok' });
    expect(await sessions.get('sid')).toEqual({ status: 'found', value: 'ada' });
    expect(await sessions.touch('sid')).toEqual({ status: 'ok' });
    expect(await tokens.set('tk1', 'one')).toEqual({ status: 'ok' });
    expect(await tokens.set('tk2', 'two')).toEqual({ status: 'ok' });
    expect(await tokens.take('tk1')).toEqual({ status: 'found', value: 'one' });
    expect(await tokens.take('tk1')).toEqual({ status: 'missing' });
    expect((await limiter.consume('ip')).allowed).toBe(true);
    expect((await limiter.consume('ip')).allowed).toBe(true);
    expect((await limiter.consume('ip')).allowed).toBe(false);
    expect(await set.master.cli('GET', 's:sid')).toBe('"ada"');
    // Let the replica have the writes before the master dies (async replication).
    await waitFor(
      async () => (await set.replica.cli('GET', 's:sid')) === '"ada"',
      5_000,
      'replication',
    );

    // Master killed: each recipe answers from its outage contract by its deadline.
    await set.master.kill();
    const start = performance.now();
    const [cached, loaded, session, write, take, verdict] = await Promise.all([
      cache.get('b'),
      cache.wrap('c', undefined, () => 'from-loader'),
      sessions.get('sid'),
      sessions.set('sid', 'bob'),
      tokens.take('tk2'),
      limiter.consume('ip2'),
    ]);
    expect(performance.now() - start).toBeLessThan(DEADLINE + MARGIN);
    expect(cached).toBeUndefined();
    expect(loaded).toBe('from-loader');
    expect(session).toMatchObject({ status: 'unavailable' });
    expect(['unavailable', 'unknown']).toContain(write.status);
    expect(['unavailable', 'unknown']).toContain(take.status);
    expect(verdict).toMatchObject({ allowed: true, degraded: true });
    // get and wrap's read; wrap's background write-back may be reported too.
    expect(cache.stats().degradedByOperation.get).toBe(1);
    expect(cache.stats().degradedByOperation.wrap).toBeGreaterThanOrEqual(1);
    expect(sessions.stats().degraded).toBe(2);
    expect(tokens.stats().degraded).toBe(1);
    expect(limiter.stats().degraded).toBe(1);

    // After the promotion, the new master serves every recipe (and has the replicated data).
    await set.waitForFailover(30_000);
    await waitFor(
      async () => (await sessions.get('sid')).status === 'found',
      20_000,
      'the promoted master to serve',
    );
    expect(await sessions.get('sid')).toEqual({ status: 'found', value: 'ada' });
    expect(await sessions.set('sid', 'bob')).toEqual({ status: 'ok' });
    expect(await cache.get('b')).toBe(2);
    expect(await limiter.consume('ip3')).toMatchObject({ allowed: true, degraded: false });
    expect(await tokens.take('tk2', take.status === 'unknown' ? take : undefined)).toEqual({
      status: 'found',
      value: 'two',
    });
    cache.dispose();
  });
});
