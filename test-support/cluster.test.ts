import { afterAll, describe, expect, it } from 'vitest';
import { startCluster } from './cluster.js';
import type { RedisClusterHandle } from './cluster.js';
import { isPidAlive, spawnedPids, stopAllRedis } from './redis-server.js';

let cluster: RedisClusterHandle | undefined;
const pids = new Set<number>();

afterAll(async () => {
  await cluster?.stop();
  await stopAllRedis();
  for (const pid of pids) expect(isPidAlive(pid)).toBe(false);
  expect(spawnedPids()).toEqual([]);
});

describe('startCluster', () => {
  it('forms 3 masters + 3 replicas, routes keys and fails over when a master dies', async () => {
    const t0 = performance.now();
    cluster = await startCluster();
    console.log(`cluster formed in ${Math.round(performance.now() - t0)} ms`);
    for (const n of cluster.nodes) pids.add(n.pid);
    expect(cluster.nodes).toHaveLength(6);
    expect(cluster.rootNodes.map((r) => r.url)).toEqual(cluster.nodes.map((n) => n.url));
    const masters = await cluster.masters();
    const replicas = await cluster.replicas();
    expect(masters).toHaveLength(3);
    expect(replicas).toHaveLength(3);

    // masterForKey agrees with CLUSTER KEYSLOT + CLUSTER SLOTS
    for (const key of ['foo', 'bar', 'user:{42}', 'x']) {
      const master = await cluster.masterForKey(key);
      const slot = Number(await master.cli('CLUSTER', 'KEYSLOT', key));
      // redis-cli flattens CLUSTER SLOTS: start, end, ip, port, id, [hostname..]... per range
      const flat = (await master.cli('CLUSTER', 'SLOTS')).split('\n');
      let ownerPort = -1;
      for (let i = 0; i + 3 < flat.length; i++) {
        const a = Number(flat[i]);
        const b = Number(flat[i + 1]);
        if (
          /^\d+$/.test(flat[i]) &&
          /^\d+$/.test(flat[i + 1]) &&
          flat[i + 2] === '127.0.0.1' &&
          slot >= a &&
          slot <= b &&
          a <= b
        ) {
          ownerPort = Number(flat[i + 3]);
          break;
        }
      }
      expect(ownerPort).toBe(master.port);
      expect(await master.cli('SET', key, 'v')).toBe('OK');
    }

    const victim = await cluster.masterForKey('foo');
    expect(await victim.cli('WAIT', '1', '5000')).toBe('1');
    const replica = await cluster.replicaOf(victim);
    // WAIT only covers writes made on its own connection, and each cli() is a new one: it
    // returned at once. Prove 'foo' reached the replica by replication offsets instead (the
    // replica has applied everything the master had written), bounded.
    const offset = (text: string, field: string): number =>
      Number(new RegExp(`^${field}:(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
    const written = offset(await victim.cli('INFO', 'replication'), 'master_repl_offset');
    expect(written).toBeGreaterThan(0);
    const until = Date.now() + 5000;
    let applied = -1;
    while (Date.now() < until) {
      applied = offset(await replica.cli('INFO', 'replication'), 'slave_repl_offset');
      if (applied >= written) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(applied).toBeGreaterThanOrEqual(written); // 'foo' reached the replica
    expect(replica.port).not.toBe(victim.port);
    await victim.kill();
    const t1 = performance.now();
    const promoted = await cluster.waitForFailover(victim);
    console.log(`cluster failover took ${Math.round(performance.now() - t1)} ms`);
    expect(promoted.port).toBe(replica.port);
    expect((await cluster.masterForKey('foo')).port).toBe(replica.port);
    expect(await promoted.cli('GET', 'foo')).toBe('v');

    // the old master rejoins as a replica of the promoted node
    await victim.restart();
    pids.add(victim.pid);
    const deadline = Date.now() + 15_000;
    let rejoined = false;
    while (Date.now() < deadline && !rejoined) {
      rejoined = (await cluster.replicas()).some((r) => r.port === victim.port);
      if (!rejoined) await new Promise((r) => setTimeout(r, 200));
    }
    expect(rejoined).toBe(true);
  });
});
