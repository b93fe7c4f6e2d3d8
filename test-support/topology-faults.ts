/**
 * Faults of a Cluster or Sentinel master for `outageUnderLoad`: the master SIGKILLed or
 * SIGSTOPped, and the fault over once its replica is promoted (a SIGSTOPped master is then
 * SIGCONTed, and rejoins as a replica). Only servers started by test-support are signalled.
 */
import type { RedisClusterHandle } from './cluster.js';
import type { TopologyFault } from './outage-under-load.js';
import type { RedisServer } from './redis-server.js';
import type { SentinelSetHandle } from './sentinel.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A Cluster master SIGKILLed or SIGSTOPped; over when another node serves its slots. */
export function clusterMasterFault(
  cluster: RedisClusterHandle,
  master: RedisServer,
  kind: 'kill' | 'pause',
): TopologyFault {
  return {
    begin: async () => (kind === 'kill' ? master.kill() : master.pause()),
    end: async () => {
      try {
        await cluster.waitForFailover(master);
      } finally {
        if (kind === 'pause') master.resume();
      }
    },
  };
}

/** The Sentinel set's master SIGKILLed; over when the sentinels have promoted the replica. */
export function sentinelMasterFault(set: SentinelSetHandle): TopologyFault {
  return {
    begin: () => set.master.kill(),
    end: async () => void (await set.waitForFailover()),
  };
}

/**
 * Resolves once every replica of `master` has acknowledged all of its writes so far
 * (`master_repl_offset` reached by each `slaveN` offset), so a promotion loses nothing.
 */
export async function waitReplicated(master: RedisServer, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await master.cliWith({ timeoutMs: 2_000 }, 'INFO', 'replication');
    const offset = Number(/master_repl_offset:(\d+)/.exec(info)?.[1] ?? NaN);
    const replicas = [...info.matchAll(/slave\d+:.*offset=(\d+)/g)].map((m) => Number(m[1]));
    if (replicas.length > 0 && replicas.every((o) => o >= offset)) return;
    if (Date.now() > deadline) {
      throw new Error(`replicas of port ${master.port} not caught up within ${timeoutMs} ms`);
    }
    await sleep(50);
  }
}
