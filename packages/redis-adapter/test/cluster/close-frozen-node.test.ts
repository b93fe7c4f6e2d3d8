/**
 * A service shutting down on SIGTERM while one node is frozen (SIGSTOP: the kernel keeps the
 * TCP connection, the server never answers) and a call to it is in flight: `await close()`
 * settles that call with its fallback, returns within its one-second
 * graceful bound and the process exits by itself right after, as a plain child `node` process,
 * over the node-redis Cluster, ioredis Cluster and node-redis Sentinel adapters.
 *
 * Before the fix the node-redis Cluster case exited only after ~25 s (socketTimeout): node-redis'
 * cluster close() forgets its node clients at once and its destroy() then reaches none of them,
 * so the frozen master's client kept draining its QUIT (a new user's report, 2026-12-07).
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type RedisClusterHandle } from '../../../../test-support/cluster.js';
import { runNodeFile } from '../../../../test-support/node-script.js';
import { stopAllRedis, type RedisServer } from '../../../../test-support/redis-server.js';
import { startSentinelSet, type SentinelSetHandle } from '../../../../test-support/sentinel.js';

const SCRIPT = fileURLToPath(new URL('../fixtures/close-on-sigterm.ts', import.meta.url));
/** The adapters' bound on a graceful close before they destroy what is left, in ms. */
const CLOSE_GRACE_MS = 1000;
/** Allowed lateness on a loaded 2-core machine, in ms. */
const MARGIN_MS = 700;

let cluster: RedisClusterHandle;
let sentinels: SentinelSetHandle;
beforeAll(async () => {
  // No replicas: a frozen master stays the master (no failover changes the picture).
  [cluster, sentinels] = await Promise.all([
    startCluster({ replicasPerMaster: 0 }),
    startSentinelSet(),
  ]);
}, 60_000);
afterAll(async () => {
  await Promise.all([cluster?.stop(), sentinels?.stop()]);
  await stopAllRedis();
});

/** Resolves once every node says the cluster is ok again (the next case needs all of it). */
async function healed(): Promise<void> {
  const until = Date.now() + 20_000;
  for (;;) {
    const infos = await Promise.all(
      cluster.nodes.map((n) => n.cli('CLUSTER', 'INFO').catch(() => '')),
    );
    if (infos.every((i) => i.includes('cluster_state:ok'))) return;
    if (Date.now() > until) throw new Error('the cluster did not heal within 20 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface Case {
  topology: 'cluster' | 'ioredis-cluster' | 'sentinel';
  /**
   * When the node is frozen: before the child starts (its connection to that node is then
   * still in its handshake at close: the case a new user found hanging), or just before the
   * SIGTERM (a connection that was ready, with the call in flight).
   */
  freeze: 'before-start' | 'before-sigterm';
  /** The seed or sentinel, the key of the one call, and the node to freeze. */
  setup(): Promise<Setup>;
}

interface Setup {
  target: string;
  key: string;
  /** The key of the call in flight when close() begins: on the frozen node. */
  inflightKey: string;
  frozen: RedisServer;
}

async function clusterSetup(): Promise<Setup> {
  const key = 'healthy';
  const owner = await cluster.masterForKey(key);
  const frozen = (await cluster.masters()).find((m) => m.port !== owner.port)!;
  let inflightKey = '';
  for (let i = 0; inflightKey === ''; i++) {
    if ((await cluster.masterForKey(`k${i}`)).port === frozen.port) inflightKey = `k${i}`;
  }
  return { target: owner.url, key, inflightKey, frozen };
}

const CASES: Case[] = [
  { topology: 'cluster', freeze: 'before-start', setup: clusterSetup },
  { topology: 'cluster', freeze: 'before-sigterm', setup: clusterSetup },
  { topology: 'ioredis-cluster', freeze: 'before-start', setup: clusterSetup },
  {
    topology: 'sentinel',
    freeze: 'before-sigterm',
    setup: async () => {
      const s = sentinels.sentinels[0]!;
      return {
        target: `${s.host}:${s.port}`,
        key: 'k',
        inflightKey: 'k',
        frozen: sentinels.master,
      };
    },
  },
];

describe.each(CASES)(
  'close() on SIGTERM with a node frozen ($topology, $freeze)',
  ({ topology, freeze, setup }) => {
    it('returns within its graceful bound and the process exits by itself right after', async () => {
      const { target, key, inflightKey, frozen } = await setup();
      if (freeze === 'before-start') frozen.pause();
      try {
        const r = await runNodeFile(SCRIPT, {
          env: {
            BW_TOPOLOGY: topology,
            BW_TARGET: target,
            BW_KEY: key,
            BW_INFLIGHT_KEY: inflightKey,
          },
          sigtermWhen: 'awaiting SIGTERM',
          beforeSigterm: async () => {
            if (freeze === 'before-sigterm') frozen.pause();
          },
          timeoutMs: 20_000,
        });
        const exitedAt = Date.now();
        const closeMs = Number(/closed-after-ms=(\d+)/.exec(r.stdout)?.[1]);
        const closedAt = Number(/closed-at=(\d+)/.exec(r.stdout)?.[1]);
        console.log(
          `${topology}, frozen ${freeze}: ${/^get .*$/m.exec(r.stdout)?.[0]}; ${/^in flight at close: .*$/m.exec(r.stdout)?.[0]}; close() took ${closeMs} ms, exit ${Math.round(r.msAfterSigterm ?? NaN)} ms after the SIGTERM`,
        );
        expect(r.timedOut, `stdout: ${r.stdout} stderr: ${r.stderr}`).toBe(false);
        expect(r.code, `stderr: ${r.stderr}`).toBe(0);
        expect(r.stdout).toMatch(/^get (?!fallback)/m);
        expect(r.stdout).toMatch(/^in flight at close: fallback:/m);
        expect(closeMs).toBeLessThanOrEqual(CLOSE_GRACE_MS + MARGIN_MS);
        // Nothing is left to wait for once close() has returned.
        expect(exitedAt - closedAt).toBeLessThan(MARGIN_MS);
        expect(r.msAfterSigterm).toBeLessThan(CLOSE_GRACE_MS + 2 * MARGIN_MS);
      } finally {
        frozen.resume();
        if (topology !== 'sentinel') await healed();
      }
    });
  },
);
