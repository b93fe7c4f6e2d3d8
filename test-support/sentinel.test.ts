import { afterAll, describe, expect, it } from 'vitest';
import { isPidAlive, spawnedPids, stopAllRedis } from './redis-server.js';
import { startSentinelSet } from './sentinel.js';
import type { SentinelSetHandle } from './sentinel.js';

let set: SentinelSetHandle | undefined;
const pids = new Set<number>();

afterAll(async () => {
  await set?.stop();
  await stopAllRedis();
  for (const pid of pids) expect(isPidAlive(pid)).toBe(false);
  expect(spawnedPids()).toEqual([]);
});

describe('startSentinelSet', () => {
  it('reports the master and fails over to the replica when the master is killed', async () => {
    const t0 = performance.now();
    set = await startSentinelSet({ name: 'bwmaster' });
    console.log(`sentinel set ready in ${Math.round(performance.now() - t0)} ms`);
    for (const s of [set.master, set.replica, ...set.sentinels]) pids.add(s.pid);
    expect(set.masterName).toBe('bwmaster');
    expect(set.sentinels).toHaveLength(3);
    expect(set.sentinelRootNodes).toEqual(
      set.sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })),
    );
    expect(await set.currentMaster()).toEqual({ host: '127.0.0.1', port: set.master.port });
    expect(await set.master.cli('SET', 'k', 'v')).toBe('OK');
    expect(await set.master.cli('WAIT', '1', '5000')).toBe('1');
    expect(await set.replica.cli('ROLE')).toMatch(/^slave/);

    await set.master.kill();
    const t1 = performance.now();
    const promoted = await set.waitForFailover();
    console.log(`sentinel failover took ${Math.round(performance.now() - t1)} ms`);
    expect(promoted).toEqual({ host: '127.0.0.1', port: set.replica.port });
    expect(await set.currentMaster()).toEqual(promoted);
    expect(await set.replica.cli('ROLE')).toMatch(/^master/);
    expect(await set.replica.cli('GET', 'k')).toBe('v');
  });

  it('rejects a bad master name', async () => {
    await expect(startSentinelSet({ name: 'bad name' })).rejects.toThrow(RangeError);
  });
});
