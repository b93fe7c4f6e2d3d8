/**
 * express-rate-limit, express-session and Keyv behind one Express app over a real 3-master
 * Redis Cluster (3 replicas, node timeout 1 s): a master SIGKILLed, then another SIGSTOPped,
 * under load until its replica is promoted. Every request is answered within deadline + 100 ms
 * with no 5xx, the degraded answers are counted on /metrics, and the service is back on the
 * promoted master.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClusterAdapter, type RedisClusterAdapter } from '@breakwater/redis-adapter';
import { startCluster, type RedisClusterHandle } from '../../../test-support/cluster.js';
import { stopAllRedis, type RedisServer } from '../../../test-support/redis-server.js';
import { clusterMasterFault, waitReplicated } from '../../../test-support/topology-faults.js';
import { DEADLINE_MS } from './harness.js';
import { DRILL_OPERATIONS, startDrillApp } from './topology-drill-app.js';
import type { DrillApp, Integration } from './topology-drill-app.js';
import { drillUnderLoad } from './topology-drill.js';

let cluster: RedisClusterHandle;
let adapter: RedisClusterAdapter;
let app: DrillApp;

beforeAll(async () => {
  cluster = await startCluster();
  // Keep serving the healthy shards while one is down.
  await Promise.all(
    cluster.nodes.map((n) => n.cli('CONFIG', 'SET', 'cluster-require-full-coverage', 'no')),
  );
  adapter = createRedisClusterAdapter({
    rootNodes: cluster.rootNodes,
    name: 'integrations-cluster',
    operationTimeout: DEADLINE_MS,
    connectTimeout: 1000,
    breaker: { failureThreshold: 5, failureRateThreshold: 0.5, resetTimeout: 500 },
    reporter: () => {},
  });
  await adapter.connect();
  app = await startDrillApp(adapter);
  // The sessions are on the replicas before any master dies.
  await Promise.all((await cluster.masters()).map((m) => waitReplicated(m)));
});

afterAll(async () => {
  await app?.close();
  await adapter?.close();
  await cluster?.stop();
  await stopAllRedis();
});

/** For each integration, a user whose key lives on `master` (the probe of the drill). */
async function usersOn(master: RedisServer): Promise<Record<Integration, string>> {
  const probe = {} as Record<Integration, string>;
  for (const i of Object.keys(DRILL_OPERATIONS) as Integration[]) {
    for (const u of app.users) {
      if ((await cluster.masterForKey(app.redisKey(i, u))).port === master.port) {
        probe[i] = u;
        break;
      }
    }
    expect(probe[i], `a ${i} key on port ${master.port}`).toBeDefined();
  }
  return probe;
}

describe('integrations over a real Redis Cluster, under load', () => {
  it('a master SIGKILLed: answered within deadline + 100 ms, no 5xx, counted on /metrics, back after the promotion', async () => {
    const victim = (await cluster.masters())[0]!;
    const probe = await usersOn(victim);
    const summary = await drillUnderLoad(app, clusterMasterFault(cluster, victim, 'kill'), probe);
    console.log(`cluster kill: ${summary}`);
  });

  it('a master SIGSTOPped: answered within deadline + 100 ms, no 5xx, counted on /metrics, back after the promotion', async () => {
    // A master that still has a replica (not the one promoted by the previous test).
    const masters = await cluster.masters();
    const withReplica = [];
    for (const m of masters) if (await cluster.replicaOf(m).catch(() => null)) withReplica.push(m);
    const victim = withReplica[0]!;
    expect(victim).toBeDefined();
    const probe = await usersOn(victim);
    const summary = await drillUnderLoad(app, clusterMasterFault(cluster, victim, 'pause'), probe);
    console.log(`cluster pause: ${summary}`);
  });
});
