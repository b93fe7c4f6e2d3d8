/**
 * Every recipe over an ioredis Cluster adapter (createIoredisClusterAdapter) against a real
 * 3-master Redis Cluster: each key goes to its shard through ioredis' own `call()` routing,
 * SCAN visits every master connection, per-key UNLINK and the token take's hash-tagged receipt
 * stay in one slot; the adapter and its shard breakers are instrumented like any other. With
 * one master SIGKILLed the recipes answer from their outage contract by the deadline while the
 * healthy shards' keys keep working.
 */
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type RedisClusterHandle } from '../../../test-support/cluster.js';
import { stopAllRedis } from '../../../test-support/redis-server.js';
import { keySlot } from '@breakwater/redis-adapter';
import {
  createIoredisClusterAdapter,
  type IoredisClusterAdapter,
} from '@breakwater/redis-adapter/ioredis';
import { instrumentBreakerRegistry, instrumentRedisAdapter } from '@breakwater/metrics';
import {
  createCache,
  createRateLimiter,
  createSessionStore,
  createTokenStore,
} from '../src/index.js';
import { tokenKey } from '../src/stores/token-store.js';

const DEADLINE = 500;
/** Allowed lateness of a degraded answer on a loaded 2-core machine. */
const MARGIN = 1000;
const IDS = Array.from({ length: 30 }, (_, i) => `u${i}`);

let cluster: RedisClusterHandle;
let adapter: IoredisClusterAdapter;

beforeAll(async () => {
  cluster = await startCluster({ masters: 3, replicasPerMaster: 0, nodeTimeoutMs: 1000 });
  // Keep serving the healthy shards while one is down.
  await Promise.all(
    cluster.nodes.map((n) => n.cli('CONFIG', 'SET', 'cluster-require-full-coverage', 'no')),
  );
  adapter = createIoredisClusterAdapter({
    rootNodes: cluster.rootNodes,
    name: 'recipes-ioredis-cluster',
    operationTimeout: DEADLINE,
    connectTimeout: 1000,
    breaker: { failureThreshold: 5, failureRateThreshold: 0.5, resetTimeout: 500 },
    reporter: () => {},
  });
  await adapter.connect();
});

afterAll(async () => {
  await adapter?.close();
  await cluster?.stop();
  await stopAllRedis();
});

/** Master port of each full Redis key, from one CLUSTER NODES. */
async function owners(keys: readonly string[]): Promise<Map<string, number>> {
  const masters = (await cluster.topology()).filter(
    (n) => n.flags.includes('master') && n.slots.length > 0,
  );
  const m = new Map<string, number>();
  for (const k of keys) {
    const slot = keySlot(k);
    const owner = masters.find((n) => n.slots.some(([a, b]) => slot >= a && slot <= b));
    if (owner !== undefined) m.set(k, owner.port);
  }
  return m;
}

describe('recipes over an ioredis Cluster', () => {
  it('cache, rate limiter, session and token stores work on keys of every shard; metrics count them', async () => {
    const registry = new Registry();
    const disposeAdapter = instrumentRedisAdapter(adapter, { registry });
    const disposeShards = instrumentBreakerRegistry(adapter.shardRegistry, { registry });
    const cache = createCache(adapter, { prefix: 'c:', defaultTtlMs: 60_000 });
    const limiter = createRateLimiter(adapter, {
      name: 'api',
      limit: 2,
      windowMs: 60_000,
      onOutage: 'closed',
    });
    const sessions = createSessionStore<number>(adapter, { prefix: 's:', ttlMs: 60_000 });
    const tokens = createTokenStore<number>(adapter, { prefix: 't:', ttlMs: 60_000 });
    const shards = new Set((await owners(IDS.map((id) => `c:${id}`))).values());
    expect(shards.size).toBe(3);

    for (const [i, id] of IDS.entries()) {
      expect(await cache.set(id, i)).toBe(true);
      expect(await sessions.set(id, i)).toEqual({ status: 'ok' });
      expect(await tokens.set(id, i)).toEqual({ status: 'ok' });
    }
    for (const [i, id] of IDS.entries()) {
      expect(await cache.get(id)).toBe(i);
      expect(await sessions.get(id)).toEqual({ status: 'found', value: i });
      expect(await tokens.take(id)).toEqual({ status: 'found', value: i });
      expect(await tokens.take(id)).toEqual({ status: 'missing' });
      const verdicts = [];
      for (let n = 0; n < 3; n++) verdicts.push((await limiter.consume(id)).allowed);
      expect(verdicts).toEqual([true, true, false]);
    }
    // Bulk deletes visit every master; each UNLINK stays in one slot.
    expect(await cache.deleteByPrefix('u1')).toEqual({ deleted: 11, complete: true });
    expect(await cache.get('u1')).toBeUndefined();
    expect(await cache.get('u2')).toBe(2);
    expect(await cache.clear()).toEqual({ deleted: IDS.length - 11, complete: true });
    expect(cache.stats().degraded + limiter.stats().degraded).toBe(0);
    expect(sessions.stats().degraded + tokens.stats().degraded).toBe(0);

    const text = await registry.metrics();
    expect(text).toMatch(
      /redis_operations_total\{client="recipes-ioredis-cluster",operation="cache\.get",result="success"\} [1-9]/,
    );
    expect(text).toMatch(
      /breaker_registry_breakers\{name="recipes-ioredis-cluster",state="closed"\} 3/,
    );
    disposeShards();
    disposeAdapter();
    cache.dispose();
  });

  it('one master SIGKILLed: the dead shard degrades by the deadline, healthy shards keep working', async () => {
    const cache = createCache(adapter, { prefix: 'k:', defaultTtlMs: 60_000 });
    const sessions = createSessionStore<number>(adapter, { prefix: 'ss:', ttlMs: 60_000 });
    const tokens = createTokenStore<number>(adapter, { prefix: 'tt:', ttlMs: 60_000 });
    for (const [i, id] of IDS.entries()) {
      await cache.set(id, i);
      await sessions.set(id, i);
      await tokens.set(id, i);
    }
    const o = await owners([
      ...IDS.map((id) => `ss:${id}`),
      ...IDS.map((id) => `k:${id}`),
      ...IDS.map((id) => `tt:${tokenKey(id)}`),
    ]);
    const victimPort = o.get(`ss:${IDS[0]}`)!;
    const victim = cluster.nodes.find((n) => n.port === victimPort)!;
    const on = (key: (id: string) => string, dead: boolean) =>
      IDS.filter((id) => (o.get(key(id)) === victimPort) === dead);
    const deadSession = on((id) => `ss:${id}`, true);
    const aliveSession = on((id) => `ss:${id}`, false);
    const deadCache = on((id) => `k:${id}`, true);
    const aliveCache = on((id) => `k:${id}`, false);
    const deadToken = on((id) => `tt:${tokenKey(id)}`, true);
    for (const part of [aliveSession, deadCache, aliveCache, deadToken]) {
      expect(part.length).toBeGreaterThan(0);
    }

    await victim.kill();
    const start = performance.now();
    const [session, cached, take] = await Promise.all([
      sessions.get(deadSession[0]!),
      cache.get(deadCache[0]!),
      tokens.take(deadToken[0]!),
    ]);
    expect(performance.now() - start).toBeLessThan(DEADLINE + MARGIN);
    expect(session.status).toBe('unavailable');
    expect(cached).toBeUndefined();
    expect(['unavailable', 'unknown']).toContain(take.status);
    for (const id of aliveSession) {
      expect(await sessions.get(id)).toEqual({ status: 'found', value: IDS.indexOf(id) });
    }
    for (const id of aliveCache.slice(0, 5)) expect(await cache.get(id)).toBe(IDS.indexOf(id));
    expect(adapter.health().status).toBe('warn');
    cache.dispose();
  });
});
