/**
 * A Redis Cluster served over TLS only (clients, cluster bus and replication; 3 masters, no
 * replicas), once per Cluster client: with the test CA every shard answers; with an untrusted CA
 * or a server name the certificate does not hold, connect() ends in a RedisTlsError within the
 * connect timeout, the adapter stays 'failed', calls fall back with kind 'tls', and no node sees
 * another connection attempt afterwards (the loop stopped).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type RedisClusterHandle } from '../../../../test-support/cluster.js';
import { stopAllRedis } from '../../../../test-support/redis-server.js';
import { createTestCa, removeTestCa, type TlsFiles } from '../../../../test-support/tls.js';
import { isRedisTlsError, type RedisFailureKind } from '../../src/index.js';
import type { RedisClusterAdapterOptions } from '../../src/cluster/index.js';
import { CLUSTER_CLIENTS } from './cluster-clients.js';
import { sleep, TEST_TIMINGS } from './load.js';

let files: TlsFiles;
let cluster: RedisClusterHandle;
beforeAll(async () => {
  files = await createTestCa();
  cluster = await startCluster({ masters: 3, replicasPerMaster: 0, tls: files });
});
afterAll(async () => {
  await cluster?.stop();
  await stopAllRedis();
  if (files) removeTestCa(files);
});

const fb = (kind: RedisFailureKind) => ({ fallback: kind });
const KEYS = ['tls:a', 'tls:b', 'tls:c', 'tls:d', 'tls:e', 'tls:f'];

/** Connections each node accepted so far (TLS handshakes included, failed or not). */
async function accepted(): Promise<number[]> {
  return Promise.all(
    cluster.nodes.map(async (n) => {
      const stats = await n.cli('INFO', 'stats');
      return Number(/total_connections_received:(\d+)/.exec(stats)?.[1]);
    }),
  );
}

describe.each(CLUSTER_CLIENTS)('Cluster over TLS ($name)', ({ create, name }) => {
  const options = (extra: Partial<RedisClusterAdapterOptions>): RedisClusterAdapterOptions => ({
    rootNodes: cluster.rootNodes,
    operationTimeout: 1000,
    ...TEST_TIMINGS,
    ...extra,
  });

  it('connects with the test CA; every shard answers', async () => {
    const adapter = create(options({ tls: { ca: files.ca } }));
    try {
      await adapter.connect();
      expect(cluster.rootNodes[0]!.url).toMatch(/^rediss:/);
      const masters = new Set<string>();
      for (const key of KEYS) {
        const set = (v: string) =>
          adapter.executeRedisOperation((c) => c.set(key, v), fb, 'set', { key });
        expect(await set(`${name}:${key}`)).toBe('OK');
        expect(await adapter.executeRedisOperation((c) => c.get(key), fb, 'get', { key })).toBe(
          `${name}:${key}`,
        );
        masters.add(adapter.masterOf(key)!);
      }
      expect(masters.size).toBe(3);
    } finally {
      await adapter.close();
    }
  });

  it('an untrusted CA or a wrong server name: RedisTlsError, failed, no further attempts', async () => {
    const cases = [
      { what: 'no CA (system roots)', tls: true as const },
      { what: 'another CA', tls: { ca: files.otherCa } },
      { what: 'wrong server name', tls: { ca: files.ca, servername: 'cache.example.com' } },
    ];
    for (const { what, tls } of cases) {
      const adapter = create(options({ tls }));
      try {
        const t0 = performance.now();
        const err = await adapter.connect().then(
          () => null,
          (e: unknown) => e,
        );
        const ms = performance.now() - t0;
        console.log(`[${name} cluster TLS, ${what}] ${Math.round(ms)} ms: ${String(err)}`);
        expect(isRedisTlsError(err), `${what}: ${String(err)}`).toBe(true);
        expect((err as Error).message).toMatch(/TLS handshake with Redis failed/);
        expect(ms).toBeLessThan(TEST_TIMINGS.connectTimeout);
        expect(adapter.connectionState).toBe('failed');
        expect(
          await adapter.executeRedisOperation((c) => c.get('tls:a'), fb, 'get', { key: 'tls:a' }),
        ).toEqual({ fallback: 'tls' });
        // the loop stopped: over 0.7 s (past the first reconnect delays, 0–100 and 0–200 ms),
        // each node accepts only the one connection that reads its counter
        const before = await accepted();
        await sleep(700);
        const after = await accepted();
        expect(after.map((n, i) => n - before[i]!)).toEqual(before.map(() => 1));
        expect(adapter.connectionState).toBe('failed');
      } finally {
        await adapter.close();
      }
    }
  });
});
