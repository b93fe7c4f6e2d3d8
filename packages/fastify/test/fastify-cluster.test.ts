/**
 * @breakwater/fastify over a real 3-master Redis Cluster (3 replicas, node timeout 1 s):
 * Fastify 5 + @fastify/rate-limit 11 with the breakwater store, a master SIGKILLed under load
 * until its replica is promoted. Every request answered within deadline + 100 ms, no 5xx,
 * degraded answers counted on /metrics, and counted in Redis again after the promotion.
 */
import Fastify from 'fastify';
import type { FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breakwaterFastify } from '@breakwater/fastify';
import { breakwaterRateLimitStore } from '@breakwater/fastify/rate-limit';
import type { BreakwaterFastifyStore } from '@breakwater/fastify/rate-limit';
import { createRedisClusterAdapter, type RedisClusterAdapter } from '@breakwater/redis-adapter';
import { startCluster, type RedisClusterHandle } from '../../../test-support/cluster.js';
import { httpRequest } from '../../../test-support/http-load.js';
import { outageUnderLoad } from '../../../test-support/outage-under-load.js';
import { stopAllRedis } from '../../../test-support/redis-server.js';
import { clusterMasterFault } from '../../../test-support/topology-faults.js';
import { expectAnsweredInTime, serve } from '../../recipes/test/integration-app.js';
import type { TestServer } from '../../recipes/test/integration-app.js';
import { DEADLINE_MS } from '../../recipes/test/harness.js';

const USERS = Array.from({ length: 30 }, (_, i) => `u${i}`);
const keyOf = (u: string) => `breakwater:rl:fastify-cluster:${u}`;

let cluster: RedisClusterHandle;
let adapter: RedisClusterAdapter;
let f: ReturnType<typeof Fastify>;
let server: TestServer;
/** The stores @fastify/rate-limit constructed (it builds them itself from the constructor). */
const built: BreakwaterFastifyStore[] = [];

beforeAll(async () => {
  cluster = await startCluster();
  await Promise.all(
    cluster.nodes.map((n) => n.cli('CONFIG', 'SET', 'cluster-require-full-coverage', 'no')),
  );
  adapter = createRedisClusterAdapter({
    rootNodes: cluster.rootNodes,
    name: 'fastify-cluster',
    operationTimeout: DEADLINE_MS,
    connectTimeout: 1000,
    breaker: { failureThreshold: 5, failureRateThreshold: 0.5, resetTimeout: 500 },
    reporter: () => {},
  });
  await adapter.connect();
  f = Fastify();
  await f.register(breakwaterFastify, { adapter, closeOnClose: false });
  const Store = breakwaterRateLimitStore(f.breakwater, {
    onOutage: 'open',
    name: 'fastify-cluster',
  });
  await f.register(rateLimit, {
    max: 1_000_000,
    timeWindow: 60_000,
    store: class extends Store {
      constructor(params: object) {
        super(params);
        built.push(this);
      }
    },
    keyGenerator: (req: FastifyRequest) => (req.params as { u: string }).u,
  });
  f.get('/hit/:u', async () => 'ok');
  await f.ready();
  server = await serve(adapter, (req, res) => f.routing(req, res));
});

afterAll(async () => {
  await server?.close();
  await f?.close();
  await adapter?.close();
  await cluster?.stop();
  await stopAllRedis();
});

describe('@breakwater/fastify over a real Redis Cluster, under load', () => {
  it('a master SIGKILLed: answered within deadline + 100 ms, no 5xx, counted on /metrics, back after the promotion', async () => {
    const victim = (await cluster.masters())[0]!;
    const onVictim: string[] = [];
    for (const u of USERS) {
      if ((await cluster.masterForKey(keyOf(u))).port === victim.port) onVictim.push(u);
    }
    expect(onVictim.length).toBeGreaterThan(0);
    expect(onVictim.length).toBeLessThan(USERS.length);
    const agent = new http.Agent({ keepAlive: true });
    let probe = 0;
    let fallbacksDuring = 0;
    const result = await outageUnderLoad({
      fault: clusterMasterFault(cluster, victim, 'kill'),
      load: { port: server.port, path: (i) => `/hit/${USERS[i % USERS.length]}`, rate: 60 },
      upMs: 400,
      outageMs: 600,
      afterMs: 400,
      duringOutage: async () => {
        fallbacksDuring = await server.fallbacks('rate-limiter.consume');
      },
      // Back when a hit of a user on the promoted shard is counted in Redis again.
      recovered: async () => {
        const u = onVictim[probe++ % onVictim.length]!;
        const before = await redisCount(u);
        const r = await httpRequest(agent, server.port, `/hit/${u}`, {});
        return r.status === 200 && (await redisCount(u)) === before + 1;
      },
    }).finally(() => agent.destroy());
    const all = expectAnsweredInTime(result.samples, [200], expect);
    expect([...result.phase('outage'), ...result.phase('recovering')].length).toBeGreaterThan(60);
    const degraded = built
      .flatMap((s) => [...s.stores.values()])
      .reduce((n, s) => n + (s.stats().degradedByOperation.consume ?? 0), 0);
    expect(degraded).toBeGreaterThan(0);
    expect(fallbacksDuring).toBeGreaterThan(0);
    expect(await server.fallbacks('rate-limiter.consume')).toBe(degraded);
    console.log(
      `fastify cluster kill: ${JSON.stringify(all)} recovery ${Math.round(result.recoveryMs)} ms after the promotion, degraded ${degraded}`,
    );
  });
});

/** The count of `u` in Redis, via the node that serves its slot (-1 when unreachable). */
async function redisCount(u: string): Promise<number> {
  const owner = await cluster.masterForKey(keyOf(u)).catch(() => undefined);
  if (owner === undefined) return -1;
  return Number(await owner.cliWith({ timeoutMs: 1000 }, 'GET', keyOf(u)).catch(() => '-1'));
}
