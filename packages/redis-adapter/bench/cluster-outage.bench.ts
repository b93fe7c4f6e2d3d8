/**
 * `pnpm --filter @breakwater/redis-adapter bench:cluster-outage`: one Redis Cluster master SIGKILLed
 * under load, for ioredis 6.1's `Cluster` with defaults, tuned (`enableOfflineQueue: false`,
 * node `commandTimeout` 500 ms, `maxRetriesPerRequest: 0`) and under breakwater
 * (createIoredisClusterAdapter, deadline 500 ms). Each run gets a fresh cluster (3 masters +
 * 3 replicas, node timeout 1 s, from test-support); GETs over 45 keys, one per key every 50 ms
 * (open loop), 2 s before the kill, until 3 s after the replica's promotion. A call still
 * pending after 3 s counts as hung. Prints one row per client and run.
 *
 * While the master is down and not yet replaced, Redis' default `cluster-require-full-coverage
 * yes` makes every master answer CLUSTERDOWN; `--full-coverage=no` sets it off on every node
 * so that the other shards keep serving.
 *
 * Options: --runs=<n> (default 2); --only=<client,...>; --full-coverage=yes|no (default yes);
 * --refresh-delay=<ms> (breakwater's topologyRefreshDelay, an experiment knob).
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Cluster } from 'ioredis';
import { percentile } from '../../../examples/demo/stats.js';
import { startCluster } from '../../../test-support/cluster.js';
import { stopAllRedis } from '../../../test-support/redis-server.js';
import { createIoredisClusterAdapter } from '../src/ioredis/index.js';

const CLIENTS = ['ioredis-cluster', 'ioredis-cluster-tuned', 'breakwater-ioredis-cluster'] as const;
type ClientName = (typeof CLIENTS)[number];
const LABELS: Record<ClientName, string> = {
  'ioredis-cluster': 'ioredis 6.1 Cluster defaults',
  'ioredis-cluster-tuned': 'ioredis 6.1 Cluster tuned',
  'breakwater-ioredis-cluster': 'breakwater (ioredis 6.1 Cluster)',
};
const DEADLINE_MS = 500;
const HUNG_MS = 3000;
const KEYS = Array.from({ length: 45 }, (_, i) => `user:${i}`);

type Outcome = 'ok' | 'fallback' | 'error' | 'hung';
/** Fallback kinds and error messages seen on the healthy shards. */
const healthyCauses = new Map<string, number>();
interface Call {
  key: string;
  start: number;
  end: number;
  outcome: Outcome;
  /** Fallback kind or error message. */
  cause?: string;
}
interface Client {
  connect(): Promise<unknown>;
  /** 'ok', or the fallback's failure kind. */
  get(key: string): Promise<string>;
  close(): Promise<unknown>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function arg(name: string, fallback: string): string {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit === undefined ? fallback : hit.slice(name.length + 3);
}

const refreshDelay = arg('refresh-delay', '');

function client(name: ClientName, rootNodes: { url: string }[]): Client {
  const seeds = rootNodes.map((n) => {
    const u = new URL(n.url);
    return { host: u.hostname, port: Number(u.port) };
  });
  if (name === 'breakwater-ioredis-cluster') {
    const a = createIoredisClusterAdapter({
      rootNodes,
      operationTimeout: DEADLINE_MS,
      breaker: { resetTimeout: 1000 },
      reportInterval: 60_000,
      ...(refreshDelay === '' ? {} : { topologyRefreshDelay: Number(refreshDelay) }),
    });
    return {
      connect: () => a.connect(),
      get: (key) =>
        a.executeRedisOperation(
          async (c) => (await c.get(key), 'ok' as const),
          (kind) => kind as string,
          'get',
          { key },
        ),
      close: () => a.close(),
    };
  }
  const c = new Cluster(
    seeds,
    name === 'ioredis-cluster'
      ? { lazyConnect: true }
      : {
          lazyConnect: true,
          enableOfflineQueue: false,
          redisOptions: {
            commandTimeout: DEADLINE_MS,
            maxRetriesPerRequest: 0,
          },
        },
  );
  c.on('error', () => undefined);
  c.on('node error', () => undefined);
  return {
    connect: () => c.connect(),
    get: async (key) => (await c.get(key), 'ok'),
    close: () => c.quit().catch(() => c.disconnect()),
  };
}

async function run(name: ClientName, fullCoverage: string): Promise<string> {
  const cluster = await startCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1000 });
  await Promise.all(
    cluster.nodes.map((n) => n.cli('CONFIG', 'SET', 'cluster-require-full-coverage', fullCoverage)),
  );
  const c = client(name, cluster.rootNodes);
  const calls: Call[] = [];
  const pending = new Set<Promise<void>>();
  let stop = false;
  try {
    await c.connect();
    const master = await cluster.masterForKey(KEYS[0]!);
    const ownerPort = new Map<string, number>();
    for (const k of KEYS) ownerPort.set(k, (await cluster.masterForKey(k)).port);
    const once = async (key: string): Promise<void> => {
      const start = performance.now();
      const [outcome, cause] = await Promise.race([
        c.get(key).then(
          (r): [Outcome, string?] => (r === 'ok' ? ['ok'] : ['fallback', r]),
          (e: unknown): [Outcome, string?] => ['error', String(e).slice(0, 60)],
        ),
        sleep(HUNG_MS).then((): [Outcome, string?] => ['hung']),
      ]);
      calls.push({ key, start, end: performance.now(), outcome, ...(cause ? { cause } : {}) });
    };
    const loops = KEYS.map(async (key, i) => {
      await sleep((i * 50) / KEYS.length);
      while (!stop) {
        const p = once(key).finally(() => pending.delete(p));
        pending.add(p);
        await sleep(50);
      }
    });
    await sleep(2000);
    const killedAt = performance.now();
    await master.kill();
    await cluster.waitForFailover(master);
    const promotedAt = performance.now();
    await sleep(3000);
    stop = true;
    await Promise.all(loops);
    await Promise.all([...pending]);
    const during = calls.filter((x) => x.start >= killedAt);
    const dead = during.filter((x) => ownerPort.get(x.key) === master.port);
    const healthy = during.filter((x) => ownerPort.get(x.key) !== master.port);
    const ms = during.map((x) => x.end - x.start).sort((a, b) => a - b);
    const count = (xs: Call[], o: Outcome): number => xs.filter((x) => x.outcome === o).length;
    const back = dead.find((x) => x.start >= promotedAt && x.outcome === 'ok');
    for (const x of healthy) {
      if (x.cause !== undefined) {
        const k = `${LABELS[name]}: ${x.cause}`;
        healthyCauses.set(k, (healthyCauses.get(k) ?? 0) + 1);
      }
    }
    const firstOk = dead
      .filter((x) => x.outcome === 'ok')
      .reduce((m, x) => Math.min(m, x.end), Infinity);
    const f = (v: number): string => (Number.isFinite(v) ? String(Math.round(v)) : 'never');
    return [
      LABELS[name],
      during.length,
      count(during, 'hung'),
      f(percentile(ms, 50)),
      f(percentile(ms, 99)),
      f(ms.at(-1)!),
      `${count(dead, 'fallback')} / ${count(dead, 'error')}`,
      `${count(healthy, 'fallback') + count(healthy, 'error') + count(healthy, 'hung')}`,
      f(promotedAt - killedAt),
      f(firstOk - killedAt),
      back === undefined ? 'never' : 'yes',
    ].join(' | ');
  } finally {
    stop = true;
    await Promise.all([...pending]);
    await Promise.race([c.close(), sleep(2000)]);
    await cluster.stop();
  }
}

async function main(): Promise<void> {
  const runs = Number(arg('runs', '2'));
  const only = arg('only', CLIENTS.join(',')).split(',') as ClientName[];
  const fullCoverage = arg('full-coverage', 'yes');
  if (fullCoverage !== 'yes' && fullCoverage !== 'no') {
    throw new RangeError(`--full-coverage must be yes or no, got "${fullCoverage}"`);
  }
  const load = (): string =>
    os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ');
  console.log(
    `cluster outage bench: master SIGKILL, 45 keys × 1 GET / 50 ms, ${runs} run(s) per client, cluster-require-full-coverage ${fullCoverage}${refreshDelay === '' ? '' : `, breakwater topologyRefreshDelay ${refreshDelay} ms`}, Node ${process.version}, load average ${load()}`,
  );
  const rows: string[] = [];
  for (let r = 0; r < runs; r++) for (const name of only) rows.push(await run(name, fullCoverage));
  console.log(`load average at the end ${load()}`);
  console.log(
    '| Client | calls after kill | hung > 3 s | p50 ms | p99 ms | max ms | killed shard fallbacks / errors | healthy shards not ok | kill → promotion ms | kill → first success on the killed shard ms | back |',
  );
  console.log('| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --- |');
  for (const row of rows) console.log(`| ${row} |`);
  console.log('healthy-shard failures by cause:', Object.fromEntries(healthyCauses));
  await stopAllRedis();
  process.exit(0);
}

main().catch(async (error: unknown) => {
  console.error(error);
  await stopAllRedis();
  process.exit(1);
});
