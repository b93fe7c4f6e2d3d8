/**
 * Every recipe over a real 3-master Redis Cluster (3 replicas, node timeout 1 s): the recipes
 * route each key to its shard, multi-key work respects slots (SCAN on every master, per-key
 * UNLINK, the token take's hash-tagged receipt), and with one master SIGKILLed the keys of the
 * healthy shards keep working while the dead shard's keys degrade, until the promotion.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type RedisClusterHandle } from '../../../test-support/cluster.js';
import { stopAllRedis } from '../../../test-support/redis-server.js';
import { createRedisClusterAdapter, type RedisClusterAdapter } from '@breakwater/redis-adapter';
import {
  createCache,
  createRateLimiter,
  createSessionStore,
  createTokenStore,
} from '../src/index.js';
import { tokenKey } from '../src/stores/token-store.js';
import { waitFor } from './harness.js';

const DEADLINE = 500;
/** Allowed lateness of a degraded answer on a loaded 2-core machine. */
const MARGIN = 1000;
const IDS = Array.from({ length: 30 }, (_, i) => `u${i}`);

let cluster: RedisClusterHandle;
let adapter: RedisClusterAdapter;

beforeAll(async () => {
  cluster = await startCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1000 });
  // Keep serving the healthy shards while one is down.
  await Promise.all(
    cluster.nodes.map((n) => n.cli('CONFIG', 'SET', 'cluster-require-full-coverage', 'no')),
  );
  adapter = createRedisClusterAdapter({
    rootNodes: cluster.rootNodes,
    name: 'recipes-cluster',
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

/** Master port of each full Redis key. */
async function owners(keys: readonly string[]): Promise<Map<string, number>> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (await cluster.masterForKey(k)).port);
  return m;
}

describe('recipes over a real Redis Cluster', () => {
  it('cache, rate limiter, session and token stores work on keys of every shard', async () => {
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
      expect(await sessions.touch(id, 30_000)).toEqual({ status: 'ok' });
      // take: one script over the token key and its receipt (same slot by hash tag)
      expect(await tokens.take(id)).toEqual({ status: 'found', value: i });
      expect(await tokens.take(id)).toEqual({ status: 'missing' });
      const verdicts = [];
      for (let n = 0; n < 3; n++) verdicts.push((await limiter.consume(id)).allowed);
      expect(verdicts).toEqual([true, true, false]);
    }
    expect(await cache.wrap('w', undefined, () => 'loaded')).toBe('loaded');
    expect(await sessions.delete(IDS[0]!)).toEqual({ status: 'ok', existed: true });
    // Bulk deletes visit every master; each UNLINK stays in one slot.
    const removed = await cache.deleteByPrefix('u1');
    expect(removed).toEqual({ deleted: 11, complete: true }); // u1, u10..u19
    expect(await cache.get('u1')).toBeUndefined();
    expect(await cache.get('u2')).toBe(2);
    expect(await cache.clear()).toEqual({ deleted: IDS.length - 11 + 1, complete: true });
    expect(cache.stats().degraded + limiter.stats().degraded).toBe(0);
    expect(sessions.stats().degraded + tokens.stats().degraded).toBe(0);
    expect(await cluster.masterForKey(`t:${tokenKey('x')}:taken`)).toEqual(
      await cluster.masterForKey(`t:${tokenKey('x')}`),
    );
    cache.dispose();
  });

  it('one master SIGKILLed: healthy shards keep working, the dead shard degrades, then recovers', async () => {
    const cache = createCache(adapter, { prefix: 'k:', defaultTtlMs: 60_000 });
    const limiter = createRateLimiter(adapter, {
      name: 'kill',
      limit: 100,
      windowMs: 60_000,
      onOutage: 'closed',
    });
    const sessions = createSessionStore<number>(adapter, { prefix: 'ss:', ttlMs: 60_000 });
    const tokens = createTokenStore<number>(adapter, { prefix: 'tt:', ttlMs: 60_000 });
    for (const [i, id] of IDS.entries()) {
      await cache.set(id, i);
      await sessions.set(id, i);
      await tokens.set(id, i);
    }
    const sessionOwners = await owners(IDS.map((id) => `ss:${id}`));
    const victimPort = sessionOwners.get(`ss:${IDS[0]}`)!;
    const victim = (await cluster.masters()).find((m) => m.port === victimPort)!;
    const dead = IDS.filter((id) => sessionOwners.get(`ss:${id}`) === victimPort);
    const healthy = IDS.filter((id) => sessionOwners.get(`ss:${id}`) !== victimPort);
    expect(dead.length).toBeGreaterThan(0);
    expect(healthy.length).toBeGreaterThan(0);

    /** Ids whose key (as the recipe names it) lives on the victim, and the others. */
    const split = async (keyOf: (id: string) => string) => {
      const o = await owners(IDS.map(keyOf));
      return {
        dead: IDS.filter((id) => o.get(keyOf(id)) === victimPort),
        alive: IDS.filter((id) => o.get(keyOf(id)) !== victimPort),
      };
    };
    const c = await split((id) => `k:${id}`);
    const t = await split((id) => `tt:${tokenKey(id)}`);
    const l = await split((id) => `breakwater:rl:kill:${id}`);
    for (const part of [c, t, l]) expect(part.dead.length * part.alive.length).toBeGreaterThan(0);

    await victim.kill();
    // Dead shard, right away: every recipe answers from its outage contract by the deadline.
    const start = performance.now();
    const [session, cached, take, consumed] = await Promise.all([
      sessions.get(dead[0]!),
      cache.get(c.dead[0]!),
      tokens.take(t.dead[0]!),
      limiter.consume(l.dead[0]!),
    ]);
    expect(performance.now() - start).toBeLessThan(DEADLINE + MARGIN);
    expect(session.status).toBe('unavailable');
    expect(cached).toBeUndefined();
    expect(['unavailable', 'unknown']).toContain(take.status);
    expect(consumed).toMatchObject({ allowed: false, degraded: true });
    expect(cache.stats().degradedByOperation).toEqual({ get: 1 });
    // Healthy shards: every recipe answers from Redis.
    for (const id of healthy) {
      expect(await sessions.get(id)).toEqual({ status: 'found', value: IDS.indexOf(id) });
    }
    for (const id of c.alive.slice(0, 5)) expect(await cache.get(id)).toBe(IDS.indexOf(id));
    for (const id of t.alive.slice(0, 3)) {
      expect(await tokens.get(id)).toEqual({ status: 'found', value: IDS.indexOf(id) });
    }
    expect(await limiter.consume(l.alive[0]!)).toMatchObject({ allowed: true, degraded: false });

    // After the promotion the dead shard's keys are served again (by the promoted replica).
    await cluster.waitForFailover(victim, 20_000);
    await waitFor(
      async () => (await sessions.get(dead[0]!)).status === 'found',
      15_000,
      'the dead shard to serve again',
    );
    expect(await sessions.set(dead[1] ?? dead[0]!, 42)).toEqual({ status: 'ok' });
    expect(await limiter.consume(l.dead[0]!)).toMatchObject({ degraded: false });
    expect(await cache.get(c.dead[0]!)).toBe(IDS.indexOf(c.dead[0]!));
    const retried = await tokens.take(t.dead[0]!, take.status === 'unknown' ? take : undefined);
    expect(retried).toEqual({ status: 'found', value: IDS.indexOf(t.dead[0]!) });
    cache.dispose();
  });
});
