/**
 * The cluster adapter against a real Redis Cluster (3 masters + 3 replicas, node timeout 1 s):
 * settings reach every node client, a master SIGKILLed under load degrades only its own keys,
 * every call settles by its deadline, calls succeed again after the promotion (recovery times
 * printed), and connect() settles with a master or every seed unreachable.
 */
import { createCluster } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type RedisClusterHandle } from '../../../../test-support/cluster.js';
import { freePort, stopAllRedis, type RedisServer } from '../../../../test-support/redis-server.js';
import {
  createRedisClusterAdapter,
  keySlot,
  type RedisClusterAdapter,
  type RedisClusterAdapterOptions,
} from '../../src/cluster/index.js';
import { isRedisAuthenticationError, isRedisUnavailableError } from '../../src/errors.js';
import { SteadyLoad, sleep, summarize, type CallRecord, TEST_TIMINGS } from './load.js';

const DEADLINE = 500;
/** Allowed lateness of a settled call on a loaded 2-core machine. */
const MARGIN = 500;
const KEYS = Array.from({ length: 60 }, (_, i) => `user:${i}`);

let cluster: RedisClusterHandle;
/** Keys of the shard left down (no failover) by the "master down" test. */
const downKeys = new Set<string>();
let downServer: RedisServer | undefined;
const adapters: RedisClusterAdapter[] = [];

function adapter(extra: Partial<RedisClusterAdapterOptions> = {}): RedisClusterAdapter {
  const a = createRedisClusterAdapter({
    rootNodes: cluster.rootNodes,
    operationTimeout: DEADLINE,
    ...TEST_TIMINGS,
    ...extra,
  });
  adapters.push(a);
  return a;
}

const get = (a: RedisClusterAdapter, key: string) => (): Promise<'ok' | { fallback: never }> =>
  a.executeRedisOperation(
    async (c) => {
      await c.get(key);
      return 'ok' as const;
    },
    (kind) => ({ fallback: kind }) as { fallback: never },
    'get',
    { key },
  );

/** Port of the master serving each key, per the servers themselves. */
async function ownersByKey(keys: readonly string[]): Promise<Map<string, number>> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (await cluster.masterForKey(k)).port);
  return m;
}

beforeAll(async () => {
  cluster = await startCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1000 });
  // Keep serving the healthy shards while one is down (the default, `yes`, makes every node
  // answer CLUSTERDOWN for every key until the failover completes).
  await Promise.all(
    cluster.nodes.map((n) => n.cli('CONFIG', 'SET', 'cluster-require-full-coverage', 'no')),
  );
});

afterAll(async () => {
  await Promise.all(adapters.map((a) => a.close()));
  await cluster?.stop();
  await stopAllRedis();
});

describe('createRedisClusterAdapter over a real cluster', () => {
  it('gives every node client the resilience settings and routes by key', async () => {
    const a = adapter({ pingInterval: 5000, socketTimeout: 15_000, clientName: 'bw-close-check' });
    await a.connect();
    expect(a.connectionState).toBe('ready');
    for (const k of KEYS) {
      expect(
        await a.executeRedisOperation(
          (c) => c.set(k, k),
          () => 'fb',
          'set',
          { key: k },
        ),
      ).toBe('OK');
    }
    // keySlot agrees with the server, and the shard picked is the server's owner
    const owners = await ownersByKey(KEYS.slice(0, 10));
    for (const k of KEYS.slice(0, 10)) {
      expect(keySlot(k)).toBe(Number(await cluster.nodes[0].cli('CLUSTER', 'KEYSLOT', k)));
      expect(a.masterOf(k)).toBe(`127.0.0.1:${owners.get(k)}`);
    }
    // connect() does not wait for the masters, but they are connected right after (polled,
    // bounded: a fixed 300 ms sleep was a scheduling bet on a busy 2-core box)
    const connectedBy = performance.now() + 5000;
    while (
      !(a.client.masters.length === 3 && a.client.masters.every((m) => m.client?.isReady)) &&
      performance.now() < connectedBy
    )
      await sleep(20);
    const masters = a.client.masters;
    expect(masters).toHaveLength(3);
    for (const m of masters) {
      const opts = m.client?.options as
        | { disableOfflineQueue?: boolean; pingInterval?: number; socket?: Record<string, unknown> }
        | undefined;
      expect(m.client?.isReady).toBe(true);
      expect(opts?.disableOfflineQueue).toBe(true);
      expect(opts?.pingInterval).toBe(5000);
      const socket = opts?.socket ?? {};
      expect(socket.socketTimeout).toBe(15_000);
      expect(socket.connectTimeout).toBe(1000);
      expect(socket.keepAlive).toBe(true);
      const strategy = socket.reconnectStrategy as (retries: number, cause: Error) => unknown;
      expect(typeof strategy).toBe('function');
      expect(strategy(3, new Error('ECONNREFUSED'))).toBeLessThanOrEqual(2000);
    }
    const health = a.health();
    expect(health.status).toBe('pass');
    expect(health.shards.map((s) => s.address).sort()).toEqual(
      masters.map((m) => m.address).sort(),
    );
    expect(a.shardBreakers().size).toBe(3);

    // every node connection carries the name; close() ends them all
    const named = async (): Promise<number> => {
      let n = 0;
      for (const node of cluster.nodes) {
        n += (await node.cli('CLIENT', 'LIST'))
          .split('\n')
          .filter((l) => /name=bw-close-check /.test(l)).length;
      }
      return n;
    };
    expect(await named()).toBeGreaterThanOrEqual(3);
    await a.close();
    expect(a.connectionState).toBe('closed');
    expect(a.client.isOpen).toBe(false);
    const until = performance.now() + 2000;
    while ((await named()) > 0 && performance.now() < until) await sleep(50);
    expect(await named()).toBe(0);
    // calls after close() take the fallback at once
    expect(
      await a.executeRedisOperation(
        (c) => c.get('k'),
        (kind) => kind,
        'get',
        { key: 'k' },
      ),
    ).toBe('not-ready');
  });

  it('a master SIGKILLed under load: only its keys fall back, all calls settle, recovery after promotion', async () => {
    const a = adapter();
    const createdBreakers: string[] = [];
    a.on('shardBreaker', ({ address }) => createdBreakers.push(address));
    await a.connect();
    const owners = await ownersByKey(KEYS);
    const victim: RedisServer = await cluster.masterForKey(KEYS[0]);
    const victimAddress = `127.0.0.1:${victim.port}`;
    const deadKeys = new Set(KEYS.filter((k) => owners.get(k) === victim.port));
    expect(deadKeys.size).toBeGreaterThan(5);

    const load = new SteadyLoad(KEYS, (k) => get(a, k)());
    load.start();
    await sleep(800);
    const killedAt = performance.now();
    await victim.kill();
    const promoted = await cluster.waitForFailover(victim, 20_000);
    const promotedAt = performance.now();
    // keep the load on until a call on the failed shard succeeds again (bounded), then 1 s more
    const bound = promotedAt + 10_000;
    let firstOk: CallRecord | undefined;
    while (performance.now() < bound) {
      firstOk = load.records.find(
        (r) => r.start > promotedAt - 1 && deadKeys.has(r.key) && r.result === 'success',
      );
      if (firstOk !== undefined) break;
      await sleep(50);
    }
    await sleep(1000);
    await load.stop();

    const all = summarize(load.records);
    const dead = summarize(load.records.filter((r) => deadKeys.has(r.key)));
    const healthy = summarize(load.records.filter((r) => !deadKeys.has(r.key)));
    const firstOkAny = load.records.find(
      (r) =>
        r.start > killedAt && deadKeys.has(r.key) && r.result === 'success' && r.end > promotedAt,
    );
    const faultToFirstOk = firstOkAny ? Math.round(firstOkAny.end - killedAt) : NaN;
    const promotionToFirstOk = firstOkAny ? Math.round(firstOkAny.end - promotedAt) : NaN;
    const afterRecovery = summarize(
      load.records.filter(
        (r) => firstOkAny !== undefined && r.start > firstOkAny.end + 200 && deadKeys.has(r.key),
      ),
    );
    console.log(
      `[cluster failover] deadline ${DEADLINE} ms; promotion observed ${Math.round(promotedAt - killedAt)} ms after SIGKILL; ` +
        `fault→first success on the failed shard ${faultToFirstOk} ms; promotion→first success ${promotionToFirstOk} ms\n` +
        `  all:     ${JSON.stringify(all)}\n  dead shard (${deadKeys.size} keys): ${JSON.stringify(dead)}\n` +
        `  healthy shards (${KEYS.length - deadKeys.size} keys): ${JSON.stringify(healthy)}\n` +
        `  dead shard after recovery: ${JSON.stringify(afterRecovery)}`,
    );

    // every call settled, by its deadline (+ margin); nothing threw
    expect(all.errors).toBe(0);
    expect(all.maxMs).toBeLessThanOrEqual(DEADLINE + MARGIN);
    // only the dead shard's keys fell back (per-shard breakers and per-shard readiness)
    expect(dead.fallbacks).toBeGreaterThan(0);
    expect(healthy.fallbacks).toBeLessThanOrEqual(Math.ceil(healthy.calls * 0.01));
    // recovery: calls on the failed shard succeed again, within a bound after the promotion
    expect(firstOk).toBeDefined();
    expect(promotionToFirstOk).toBeLessThan(8000);
    expect(afterRecovery.calls).toBeGreaterThan(0);
    expect(afterRecovery.fallbacks).toBe(0);
    // the shard is now served by the promoted replica, with a fresh breaker; the dead master's
    // breaker was dropped from the registry
    expect(a.masterOf(KEYS[0])).toBe(`127.0.0.1:${promoted.port}`);
    expect(createdBreakers).toContain(victimAddress);
    expect(createdBreakers).toContain(`127.0.0.1:${promoted.port}`);
    const breakers = a.shardBreakers();
    expect(breakers.has(victimAddress)).toBe(false);
    expect(breakers.get(`127.0.0.1:${promoted.port}`)?.state).toBe('closed');
    expect(a.health().shards).toHaveLength(3);
  });

  it('connect() settles within connectTimeout with a master down (node-redis alone hangs)', async () => {
    // No failover from here on: the next killed master stays down.
    await Promise.all(
      cluster.nodes
        .filter((n) => n.running)
        .map((n) => n.cli('CONFIG', 'SET', 'cluster-replica-no-failover', 'yes')),
    );
    const masters = await cluster.masters();
    const down = masters[0];
    downServer = down;
    const owners = await ownersByKey(KEYS);
    for (const k of KEYS) if (owners.get(k) === down.port) downKeys.add(k);
    await down.kill();
    await sleep(200);

    // node-redis' own connect(), eager and with its default strategy, does not settle
    const raw = createCluster({ rootNodes: cluster.rootNodes });
    raw.on('error', () => undefined);
    const rawStart = performance.now();
    let rawSettled = false;
    raw.connect().then(
      () => (rawSettled = true),
      () => (rawSettled = true),
    );

    const a = adapter({ connectTimeout: 1000 });
    const t0 = performance.now();
    await a.connect();
    const connectMs = performance.now() - t0;
    expect(connectMs).toBeLessThan(1000 + MARGIN);
    expect(a.connectionState).toBe('ready');

    const records: CallRecord[] = [];
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        KEYS.map(async (k) => {
          const start = performance.now();
          const r = await get(a, k)();
          records.push({
            key: k,
            start,
            end: performance.now(),
            result: r === 'ok' ? 'success' : 'fallback',
            kind: r === 'ok' ? undefined : r.fallback,
          });
        }),
      );
    }
    const dead = summarize(records.filter((r) => downKeys.has(r.key)));
    const healthy = summarize(records.filter((r) => !downKeys.has(r.key)));
    await sleep(Math.max(0, 2000 - (performance.now() - rawStart)));
    console.log(
      `[cluster connect, master down] connect() ${Math.round(connectMs)} ms; node-redis connect() settled within ${Math.round(performance.now() - rawStart)} ms: ${rawSettled}\n` +
        `  down shard: ${JSON.stringify(dead)}\n  healthy shards: ${JSON.stringify(healthy)}`,
    );
    expect(rawSettled).toBe(false);
    raw.destroy();
    expect(healthy.fallbacks).toBe(0);
    expect(dead.successes).toBe(0);
    expect(dead.fallbacks).toBe(dead.calls);
    expect(Math.max(dead.maxMs, healthy.maxMs)).toBeLessThanOrEqual(DEADLINE + MARGIN);
    expect(a.health().status).toBe('warn');
    expect(a.health().shards.find((s) => s.address === `127.0.0.1:${down.port}`)?.connected).toBe(
      false,
    );
  });

  it('measures per-shard vs cluster-wide breakers with one shard down', async () => {
    expect(downKeys.size).toBeGreaterThan(0);
    const scopes = [
      { label: 'per-shard', opts: { breakerScope: 'shard' as const } },
      {
        label: 'cluster-wide, failureRateThreshold 0.5',
        opts: { breakerScope: 'cluster' as const },
      },
      {
        label: 'cluster-wide, failureRateThreshold 0.2',
        opts: {
          breakerScope: 'cluster' as const,
          breaker: {
            failureThreshold: 5,
            failureRateThreshold: 0.2,
            monitoringWindow: 2000,
            resetTimeout: 500,
          },
        },
      },
    ];
    const results: Record<
      string,
      { healthyFallbacks: number; healthyCalls: number; deadMeanMs: number; deadCalls: number }
    > = {};
    for (const { label, opts } of scopes) {
      const a = adapter(opts);
      await a.connect();
      // open loop: each key is called every 20 ms whether or not earlier calls settled
      const load = new SteadyLoad(KEYS, (k) => get(a, k)(), 20, true);
      load.start();
      await sleep(2000);
      await load.stop();
      const deadRecs = load.records.filter((r) => downKeys.has(r.key));
      const healthy = summarize(load.records.filter((r) => !downKeys.has(r.key)));
      results[label] = {
        healthyFallbacks: healthy.fallbacks,
        healthyCalls: healthy.calls,
        deadMeanMs:
          Math.round((deadRecs.reduce((s, r) => s + r.end - r.start, 0) / deadRecs.length) * 10) /
          10,
        deadCalls: deadRecs.length,
      };
      await a.close();
    }
    console.log(
      `[breaker scope, 1 of 3 shards down, 2 s of open-loop load, 1 call / 20 ms / key]\n${JSON.stringify(results, null, 1)}`,
    );
    const shard = results['per-shard'];
    const wide = results['cluster-wide, failureRateThreshold 0.5'];
    const eager = results['cluster-wide, failureRateThreshold 0.2'];
    // per-shard: healthy shards untouched, and the dead shard is short-circuited (fast)
    expect(shard.healthyFallbacks).toBe(0);
    // a cluster-wide breaker either never opens (1/3 failing < 0.5): every dead-shard call pays
    // the reconnect grace; or it opens and short-circuits the healthy shards too
    expect(wide.deadMeanMs).toBeGreaterThan(shard.deadMeanMs * 2);
    expect(eager.healthyFallbacks).toBeGreaterThan(0);
  });

  it('a master frozen (SIGSTOP) under load: its calls settle by the deadline, its connection is replaced, it recovers after SIGCONT', async () => {
    // replicas do not fail over any more (set above): the frozen master stays the owner. Bring
    // the master killed above back first: with 2 of 3 masters unreachable the last one would be
    // in a minority and answer CLUSTERDOWN for every key.
    await downServer!.restart();
    // a restarted server forgets CONFIG SET: restore what the other nodes run with
    await downServer!.cli('CONFIG', 'SET', 'cluster-require-full-coverage', 'no');
    await downServer!.cli('CONFIG', 'SET', 'cluster-replica-no-failover', 'yes');
    const okDeadline = performance.now() + 15_000;
    for (;;) {
      const infos = await Promise.all(
        cluster.nodes.filter((n) => n.running).map((n) => n.cli('CLUSTER', 'INFO').catch(() => '')),
      );
      if (infos.every((i) => /cluster_state:ok/.test(i)) && (await cluster.masters()).length === 3)
        break;
      if (performance.now() > okDeadline)
        throw new Error('cluster not ok after restarting the master');
      await sleep(100);
    }
    downKeys.clear();
    // A reset timeout far past the test: the shard comes back through the reconnect probe (a PING
    // on its fresh connection), not by waiting out its breaker's open period.
    const a = adapter({
      reportInterval: 0,
      breaker: { ...TEST_TIMINGS.breaker, resetTimeout: 60_000 },
    }); // every report delivered: the overrun one is asserted
    const reports: string[] = [];
    a.on('report', (r) => reports.push(r.message));
    await a.connect();
    const owners = await ownersByKey(KEYS);
    const frozen = await cluster.masterForKey([...owners.keys()][0]);
    const frozenKeys = new Set(
      [...owners].filter(([, port]) => port === frozen.port).map(([k]) => k),
    );
    const otherKeys = [...owners.keys()].filter((k) => !frozenKeys.has(k));
    const load = new SteadyLoad([...owners.keys()], (k) => get(a, k)());
    load.start();
    await sleep(500);
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
    while (performance.now() - resumedAt < 8000) {
      firstOk = load.records.find(
        (r) => r.start > resumedAt && frozenKeys.has(r.key) && r.result === 'success',
      );
      if (firstOk !== undefined) break;
      await sleep(50);
    }
    await sleep(500);
    await load.stop();
    const all = summarize(load.records);
    // Calls that were still pending when the shard froze, or started after: a call sent just
    // before SIGSTOP is the first to overrun (a timeout) and gets the connection replaced, and
    // the calls behind it then fail as 'connection', so filtering on start time is racy.
    const hung = summarize(load.records.filter((r) => frozenKeys.has(r.key) && r.end >= pausedAt));
    const others = summarize(load.records.filter((r) => !frozenKeys.has(r.key)));
    const resumeToOk = firstOk ? Math.round(firstOk.end - resumedAt) : NaN;
    console.log(
      `[cluster SIGSTOP 1.5 s] SIGCONT→first success on the frozen shard ${resumeToOk} ms\n` +
        `  frozen shard since SIGSTOP (${frozenKeys.size} keys): ${JSON.stringify(hung)}\n  other shards: ${JSON.stringify(others)}`,
    );
    expect(all.errors).toBe(0);
    expect(all.maxMs).toBeLessThanOrEqual(DEADLINE + MARGIN);
    expect(hung.kinds.timeout).toBeGreaterThan(0);
    expect(others.fallbacks).toBeLessThanOrEqual(Math.ceil(others.calls * 0.01));
    expect(otherKeys.length).toBeGreaterThan(0);
    expect(
      reports.some((m) => /overran its deadline; replacing that node's connection/.test(m)),
    ).toBe(true);
    expect(firstOk).toBeDefined();
    expect(resumeToOk).toBeLessThan(3000);
  });

  it('connect() with every seed unreachable: degraded start, or a typed error with requireConnection', async () => {
    const nowhere = [
      { url: `redis://127.0.0.1:${await freePort()}` },
      { url: `redis://127.0.0.1:${await freePort()}` },
    ];
    const degraded = adapter({ rootNodes: nowhere, connectTimeout: 800 });
    let t0 = performance.now();
    await degraded.connect();
    expect(performance.now() - t0).toBeLessThan(800 + MARGIN);
    expect(degraded.connectionState).toBe('connecting');
    t0 = performance.now();
    const r = await get(degraded, 'k')();
    expect(r).toEqual({ fallback: 'not-ready' });
    expect(performance.now() - t0).toBeLessThan(DEADLINE + MARGIN);
    expect(degraded.health().status).toBe('warn');

    const strict = adapter({ rootNodes: nowhere, connectTimeout: 800, requireConnection: true });
    t0 = performance.now();
    const err = await strict.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(performance.now() - t0).toBeLessThan(800 + MARGIN);
    expect(isRedisUnavailableError(err)).toBe(true);
    expect(String((err as Error).message)).toMatch(
      /Redis cluster \(seeds 127\.0\.0\.1:\d+,127\.0\.0\.1:\d+\) is unreachable/,
    );
    expect(strict.connectionState).toBe('closed');
  });
  it('credentials in a seed URL reach every node; a wrong password fails fast, typed; no secret leaks', async () => {
    // last test: from here on the nodes require a password
    const secret = 'hunter2-cluster-secret';
    for (const n of cluster.nodes.filter((x) => x.running)) {
      await n.cli('CONFIG', 'SET', 'masterauth', secret);
      await n.cli('CONFIG', 'SET', 'requirepass', secret);
    }
    const port = cluster.nodes.find((n) => n.running)!.port;
    const texts: string[] = [];
    const collect = (a: RedisClusterAdapter): void => {
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
    // node-redis alone would use the URL's password for discovery only: every node answered
    const masters = good.client.masters;
    expect(masters.every((m) => m.client === undefined || m.client.isReady)).toBe(true);
    texts.push(JSON.stringify(good.health()));

    const wrong = adapter({
      rootNodes: cluster.rootNodes,
      password: 'not-the-secret-42',
      connectTimeout: 2000,
    });
    collect(wrong);
    const t0 = performance.now();
    const err = await wrong.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    const ms = performance.now() - t0;
    console.log(
      `[cluster wrong password] connect() rejected after ${Math.round(ms)} ms: ${String((err as Error)?.message)}`,
    );
    expect(isRedisAuthenticationError(err)).toBe(true);
    expect(ms).toBeLessThan(1000);
    expect(wrong.connectionState).toBe('failed');
    expect(
      await wrong.executeRedisOperation(
        (c) => c.get('k'),
        (kind) => kind,
        'get',
      ),
    ).toBe('auth');
    texts.push(String((err as Error).message), JSON.stringify(wrong.health()));
    expect(texts.length).toBeGreaterThan(3);
    for (const t of texts) {
      expect(t).not.toContain(secret);
      expect(t).not.toContain('not-the-secret-42');
    }
  });
});
