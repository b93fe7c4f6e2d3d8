/**
 * createIoredisClusterAdapter against a real Redis Cluster (3 masters + 3 replicas, node timeout
 * 1 s): the adapter's settings reach every ioredis node connection, calls route by key (hash
 * tags honoured), a master SIGKILLed under load degrades only its own keys and its shard comes
 * back after the promotion, a frozen master (SIGSTOP) costs its calls no more than the deadline,
 * and a wrong password stops with a typed error; nothing printed carries the password.
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type RedisClusterHandle } from '../../../../test-support/cluster.js';
import { stopAllRedis, type RedisServer } from '../../../../test-support/redis-server.js';
import type { RedisClusterAdapterOptions } from '../../src/cluster/index.js';
import { keySlot } from '../../src/cluster/index.js';
import { isRedisAuthenticationError } from '../../src/errors.js';
import {
  createIoredisClusterAdapter,
  type IoredisClusterAdapter,
} from '../../src/ioredis/index.js';
import { SteadyLoad, sleep, summarize, TEST_TIMINGS, type CallRecord } from './load.js';

const DEADLINE = 500;
/** Allowed lateness of a settled call on a loaded 2-core machine. */
const MARGIN = 500;
const KEYS = Array.from({ length: 45 }, (_, i) => `user:${i}`);

let cluster: RedisClusterHandle;
const adapters: IoredisClusterAdapter[] = [];

function adapter(extra: Partial<RedisClusterAdapterOptions> = {}): IoredisClusterAdapter {
  const a = createIoredisClusterAdapter({
    rootNodes: cluster.rootNodes,
    operationTimeout: DEADLINE,
    ...TEST_TIMINGS,
    ...extra,
  });
  adapters.push(a);
  return a;
}

const get = (a: IoredisClusterAdapter, key: string) => (): Promise<'ok' | { fallback: never }> =>
  a.executeRedisOperation(
    async (c) => {
      await c.get(key);
      return 'ok' as const;
    },
    (kind) => ({ fallback: kind }) as { fallback: never },
    'get',
    { key },
  );

/** Port of the master serving each key, per the servers' CLUSTER NODES (one redis-cli call). */
async function ownersByKey(keys: readonly string[]): Promise<Map<string, number>> {
  const masters = (await cluster.topology()).filter(
    (n) => n.flags.includes('master') && !n.flags.some((f) => f.startsWith('fail')),
  );
  const m = new Map<string, number>();
  for (const k of keys) {
    const slot = keySlot(k);
    const owner = masters.find((n) => n.slots.some(([a, b]) => slot >= a && slot <= b));
    if (owner !== undefined) m.set(k, owner.port);
  }
  return m;
}

beforeAll(async () => {
  cluster = await startCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1000 });
  await Promise.all(
    cluster.nodes.map((n) => n.cli('CONFIG', 'SET', 'cluster-require-full-coverage', 'no')),
  );
});

afterAll(async () => {
  await Promise.all(adapters.map((a) => a.close()));
  await cluster?.stop();
  await stopAllRedis();
});

describe('createIoredisClusterAdapter over a real cluster', () => {
  it('routes by key across the shards (hash tags too), with the settings on every node', async () => {
    const a = adapter({ pingInterval: 5000, clientName: 'bw-ioredis-cluster' });
    await a.connect();
    expect(a.connectionState).toBe('ready');
    for (const k of KEYS) {
      const r = await a.executeRedisOperation(
        (c) => c.set(k, `v-${k}`),
        () => 'fb',
        'set',
        { key: k },
      );
      expect(r).toBe('OK');
    }
    for (const k of KEYS.slice(0, 10)) {
      expect(
        await a.executeRedisOperation(
          (c) => c.get(k),
          () => 'fb',
          'get',
          { key: k },
        ),
      ).toBe(`v-${k}`);
    }
    const owners = await ownersByKey(KEYS);
    expect(new Set(owners.values()).size).toBe(3);
    for (const k of KEYS.slice(0, 10)) expect(a.masterOf(k)).toBe(`127.0.0.1:${owners.get(k)}`);
    // hash tags: one slot, so a multi-key command is accepted
    const tagged = ['{order:7}:a', '{order:7}:b'];
    expect(keySlot(tagged[0])).toBe(keySlot(tagged[1]));
    expect(
      await a.executeRedisOperation(
        (c) => c.mset(tagged[0], '1', tagged[1], '2'),
        () => 'fb',
        'mset',
        { key: tagged[0] },
      ),
    ).toBe('OK');
    expect(
      await a.executeRedisOperation(
        (c) => c.mget(...tagged),
        () => 'fb',
        'mget',
        {
          key: tagged[0],
        },
      ),
    ).toEqual(['1', '2']);

    const masters = a.client.nodes('master');
    expect(masters).toHaveLength(3);
    const nodeOptions = masters[0].options;
    expect(nodeOptions.enableOfflineQueue).toBe(true); // ioredis forces it on nodes…
    expect(a.client.options.enableOfflineQueue).toBe(false); // …and checks the cluster's first
    expect(nodeOptions.autoResendUnfulfilledCommands).toBe(false);
    expect(nodeOptions.connectTimeout).toBe(TEST_TIMINGS.connectTimeout);
    expect(typeof nodeOptions.retryStrategy).toBe('function');
    expect(a.health().status).toBe('pass');
    expect(a.health().shards).toHaveLength(3);
    expect(a.shardBreakers().size).toBe(3);
    // every master connection carries the name; close() ends them all
    const named = async (): Promise<number> => {
      let n = 0;
      for (const node of cluster.nodes) {
        const list = await node.cli('CLIENT', 'LIST');
        n += list.split('\n').filter((l) => / name=bw-ioredis-cluster /.test(l)).length;
      }
      return n;
    };
    expect(await named()).toBeGreaterThanOrEqual(3);
    await a.close();
    expect(a.connectionState).toBe('closed');
    const until = performance.now() + 2000;
    while ((await named()) > 0 && performance.now() < until) await sleep(50);
    expect(await named()).toBe(0);
    expect(
      await a.executeRedisOperation(
        (c) => c.get('k'),
        (kind) => kind,
        'get',
        { key: 'k' },
      ),
    ).toBe('not-ready');
  });

  it('a master SIGKILLed under load: only its keys fall back, every call settles, back after promotion', async () => {
    const a = adapter();
    await a.connect();
    const owners = await ownersByKey(KEYS);
    const victim: RedisServer = await cluster.masterForKey(KEYS[0]);
    const victimAddress = `127.0.0.1:${victim.port}`;
    const deadKeys = new Set(KEYS.filter((k) => owners.get(k) === victim.port));
    expect(deadKeys.size).toBeGreaterThan(5);

    const load = new SteadyLoad(KEYS, (k) => get(a, k)());
    load.start();
    await sleep(500);
    const killedAt = performance.now();
    await victim.kill();
    const promoted = await cluster.waitForFailover(victim, 20_000);
    const promotedAt = performance.now();
    const bound = promotedAt + 8000;
    let firstOk: CallRecord | undefined;
    while (performance.now() < bound) {
      firstOk = load.records.find(
        (r) => r.start > promotedAt && deadKeys.has(r.key) && r.result === 'success',
      );
      if (firstOk !== undefined) break;
      await sleep(50);
    }
    await sleep(500);
    await load.stop();

    const all = summarize(load.records);
    const dead = summarize(load.records.filter((r) => deadKeys.has(r.key)));
    const healthy = summarize(load.records.filter((r) => !deadKeys.has(r.key)));
    const firstOkAny = load.records.find(
      (r) =>
        r.start > killedAt && deadKeys.has(r.key) && r.result === 'success' && r.end > promotedAt,
    );
    const promotionToFirstOk = firstOkAny ? Math.round(firstOkAny.end - promotedAt) : NaN;
    const afterRecovery = summarize(
      load.records.filter(
        (r) => firstOkAny !== undefined && r.start > firstOkAny.end + 200 && deadKeys.has(r.key),
      ),
    );
    console.log(
      `[ioredis cluster failover] deadline ${DEADLINE} ms; promotion observed ${Math.round(promotedAt - killedAt)} ms after SIGKILL; ` +
        `promotion→first success ${promotionToFirstOk} ms\n` +
        `  dead shard (${deadKeys.size} keys): ${JSON.stringify(dead)}\n` +
        `  healthy shards: ${JSON.stringify(healthy)}\n  dead shard after recovery: ${JSON.stringify(afterRecovery)}`,
    );
    expect(all.errors).toBe(0);
    expect(all.maxMs).toBeLessThanOrEqual(DEADLINE + MARGIN);
    expect(dead.fallbacks).toBeGreaterThan(0);
    expect(healthy.fallbacks).toBeLessThanOrEqual(Math.ceil(healthy.calls * 0.01));
    expect(firstOk).toBeDefined();
    expect(promotionToFirstOk).toBeLessThan(6000);
    expect(afterRecovery.calls).toBeGreaterThan(0);
    expect(afterRecovery.fallbacks).toBe(0);
    expect(a.masterOf(KEYS[0])).toBe(`127.0.0.1:${promoted.port}`);
    expect(a.shardBreakers().has(victimAddress)).toBe(false);
    expect(a.shardBreakers().get(`127.0.0.1:${promoted.port}`)?.state).toBe('closed');
    expect(a.health().shards).toHaveLength(3);
  });

  it('a master frozen (SIGSTOP) under load: its calls settle by the deadline, the others never notice, back after SIGCONT', async () => {
    // no failover from here on: the frozen master stays the owner of its slots
    await Promise.all(
      cluster.nodes
        .filter((n) => n.running)
        .map((n) => n.cli('CONFIG', 'SET', 'cluster-replica-no-failover', 'yes')),
    );
    // A reset timeout far past the test: the shard comes back through the reconnect probe (a PING
    // on its fresh connection), not by waiting out its breaker's open period.
    const a = adapter({
      reportInterval: 0,
      breaker: { ...TEST_TIMINGS.breaker, resetTimeout: 60_000 },
    });
    const reports: string[] = [];
    a.on('report', (r) => reports.push(r.message));
    await a.connect();
    const owners = await ownersByKey(KEYS);
    const frozenPort = owners.get(KEYS[0])!;
    const frozen = cluster.nodes.find((n) => n.port === frozenPort)!;
    const frozenKeys = new Set(KEYS.filter((k) => owners.get(k) === frozenPort));
    const load = new SteadyLoad(KEYS, (k) => get(a, k)());
    load.start();
    await sleep(400);
    const pausedAt = performance.now();
    frozen.pause();
    let resumedAt = NaN;
    try {
      await sleep(1500);
    } finally {
      frozen.resume();
      resumedAt = performance.now();
    }
    let firstOk: CallRecord | undefined;
    while (performance.now() - resumedAt < 6000) {
      firstOk = load.records.find(
        (r) => r.start > resumedAt && frozenKeys.has(r.key) && r.result === 'success',
      );
      if (firstOk !== undefined) break;
      await sleep(50);
    }
    await sleep(300);
    await load.stop();
    const all = summarize(load.records);
    const hung = summarize(load.records.filter((r) => frozenKeys.has(r.key) && r.end >= pausedAt));
    const others = summarize(load.records.filter((r) => !frozenKeys.has(r.key)));
    const resumeToOk = firstOk ? Math.round(firstOk.end - resumedAt) : NaN;
    console.log(
      `[ioredis cluster SIGSTOP 1.5 s] SIGCONT→first success on the frozen shard ${resumeToOk} ms\n` +
        `  frozen shard since SIGSTOP (${frozenKeys.size} keys): ${JSON.stringify(hung)}\n  other shards: ${JSON.stringify(others)}`,
    );
    expect(all.errors).toBe(0);
    expect(all.maxMs).toBeLessThanOrEqual(DEADLINE + MARGIN);
    expect(hung.kinds.timeout).toBeGreaterThan(0);
    expect(others.fallbacks).toBeLessThanOrEqual(Math.ceil(others.calls * 0.01));
    expect(
      reports.some((m) => /overran its deadline; replacing that node's connection/.test(m)),
    ).toBe(true);
    expect(firstOk).toBeDefined();
    expect(resumeToOk).toBeLessThan(3000);
  });

  it('credentials reach every node; a wrong password stops with a typed error; nothing printed shows a password', async () => {
    // last test: from here on the nodes require a password
    const secret = 'hunter2-ioredis-cluster';
    for (const n of cluster.nodes.filter((x) => x.running)) {
      await n.cli('CONFIG', 'SET', 'masterauth', secret);
      await n.cli('CONFIG', 'SET', 'requirepass', secret);
    }
    const port = cluster.nodes.find((n) => n.running)!.port;
    const texts: string[] = [];
    const collect = (a: IoredisClusterAdapter): void => {
      a.on('report', (r) => texts.push(r.message, String((r.error as Error)?.message)));
    };
    const good = adapter({ rootNodes: [`redis://:${secret}@127.0.0.1:${port}`] });
    collect(good);
    await good.connect();
    for (const k of KEYS.slice(0, 12)) {
      expect(
        await good.executeRedisOperation(
          (c) => c.set(k, '1'),
          (kind) => kind,
          'set',
          { key: k },
        ),
      ).toBe('OK');
    }
    texts.push(inspect(good), JSON.stringify(good), JSON.stringify(good.health()));

    const wrong = adapter({ password: 'not-the-secret-42' });
    collect(wrong);
    const t0 = performance.now();
    const err = await wrong.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    const ms = performance.now() - t0;
    console.log(
      `[ioredis cluster wrong password] connect() rejected after ${Math.round(ms)} ms: ${String((err as Error)?.message)}`,
    );
    expect(isRedisAuthenticationError(err)).toBe(true);
    expect(ms).toBeLessThan(TEST_TIMINGS.connectTimeout);
    expect(wrong.connectionState).toBe('failed');
    expect(
      await wrong.executeRedisOperation(
        (c) => c.get('k'),
        (kind) => kind,
        'get',
      ),
    ).toBe('auth');
    texts.push(
      String((err as Error).message),
      inspect(err, { depth: 5 }),
      inspect(wrong),
      JSON.stringify(wrong),
      JSON.stringify(wrong.health()),
    );
    expect(inspect(wrong)).toMatch(/RedisClusterAdapter .*topology: 'cluster'/s);
    for (const t of texts) {
      expect(t).not.toContain(secret);
      expect(t).not.toContain('not-the-secret-42');
    }
  });
});
