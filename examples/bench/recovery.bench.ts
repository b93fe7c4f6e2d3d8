/**
 * `pnpm --filter @breakwater/examples bench:recovery`: restart → first success, over repeated
 * SIGKILL + restart of a real redis-server under a steady GET load (one GET every 5 ms), for
 * each contestant on the same machine. The contestants take turns restart by restart (the
 * order rotates each round), so a busy moment on a shared machine lands on all of them alike;
 * only the contestant whose turn it is sends load. Prints min / median / p90 / max per
 * contestant (p90: nearest rank), the runs, and the reconnect attempts per second while the server was down.
 *
 * Options: --restarts=<n> (default 20); --down=<ms> or --down=<min>-<max> (each round draws
 * one outage length, uniform, the same for every contestant; default 1500); --only=<client,...>;
 * --reconnect-cap=<ms> (breakwater's reconnect backoff cap, an experiment knob).
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { findRedisServer, spawnRedis } from '../demo/redis-process.js';
import { percentile } from '../demo/stats.js';
import type { RedisProcess } from '../demo/redis-process.js';
import { CONTESTANTS, CONTESTANT_LABELS, createContestant } from './contestants.js';
import type { BreakerSettings, Contestant, ContestantName } from './contestants.js';

function arg(name: string, fallback: string): string {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit === undefined ? fallback : hit.slice(name.length + 3);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Median of an ascending array (mean of the two middle values for an even count). */
function median(sorted: readonly number[]): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[m]! : (sorted[m - 1]! + sorted[m]!) / 2;
}

/** One contestant with its own server and its own load loop (sending only while active). */
interface Rig {
  name: ContestantName;
  redis: RedisProcess;
  client: Contestant;
  active: boolean;
  restartedAt: number;
  firstOk: number;
  runs: number[];
  attempts: number;
  downMs: number;
  stop: boolean;
  load: Promise<void>;
}

async function rig(name: ContestantName, bin: string, settings: BreakerSettings): Promise<Rig> {
  const redis = await spawnRedis(bin);
  const client = createContestant(name, redis.url, settings);
  await client.connect();
  const r: Rig = {
    name,
    redis,
    client,
    active: false,
    restartedAt: Infinity,
    firstOk: Infinity,
    runs: [],
    attempts: 0,
    downMs: 0,
    stop: false,
    load: Promise.resolve(),
  };
  r.load = (async () => {
    while (!r.stop) {
      if (r.active) {
        const start = performance.now();
        void Promise.race([client.get('k'), sleep(3000).then(() => 'hung' as const)]).then(
          (outcome) => {
            const end = performance.now();
            if (outcome === 'ok' && start >= r.restartedAt && end < r.firstOk) r.firstOk = end;
          },
          () => undefined,
        );
      }
      await sleep(5);
    }
  })();
  return r;
}

/** One turn: load, SIGKILL, `downMs` down, restart (answering PING), wait for a success. */
async function turn(r: Rig, downMs: number): Promise<void> {
  r.active = true;
  await sleep(500);
  await r.redis.kill();
  const before = r.client.reconnects();
  const killedAt = performance.now();
  await sleep(downMs);
  r.firstOk = Infinity;
  await r.redis.restart();
  r.restartedAt = performance.now();
  r.attempts += r.client.reconnects() - before;
  r.downMs += r.restartedAt - killedAt;
  const until = r.restartedAt + 10_000;
  while (r.firstOk === Infinity && performance.now() < until) await sleep(5);
  r.runs.push(r.firstOk - r.restartedAt);
  r.restartedAt = Infinity;
  r.active = false;
}

async function main(): Promise<void> {
  const restarts = Number(arg('restarts', '20'));
  const [lo, hi] = arg('down', '1500').split('-').map(Number) as [number, number | undefined];
  const cap = arg('reconnect-cap', '');
  const only = arg('only', CONTESTANTS.join(',')).split(',') as ContestantName[];
  const bin = findRedisServer();
  if (bin === null) throw new Error('redis-server is not on PATH');
  const settings: BreakerSettings = {
    timeoutMs: 500,
    resetTimeoutMs: 1000,
    ...(cap === '' ? {} : { reconnectCapMs: Number(cap) }),
  };
  const load = (): string =>
    os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ');
  console.log(
    `recovery bench: ${restarts} rounds × (SIGKILL, ${hi === undefined ? lo : `${lo}–${hi}`} ms down, restart), GET every 5 ms, turns interleaved; Node ${process.version}; load average ${load()}${cap === '' ? '' : `; breakwater reconnect cap ${cap} ms`}`,
  );
  const rigs: Rig[] = [];
  for (const name of only) rigs.push(await rig(name, bin, settings));
  const downs: number[] = [];
  try {
    for (let i = 0; i < restarts; i++) {
      const down = hi === undefined ? lo : lo + Math.random() * (hi - lo);
      downs.push(Math.round(down));
      for (let k = 0; k < rigs.length; k++) await turn(rigs[(i + k) % rigs.length]!, down);
    }
  } finally {
    for (const r of rigs) {
      r.stop = true;
      await r.load;
      await Promise.race([r.client.close().catch(() => undefined), sleep(2000)]);
      await r.redis.stop();
    }
  }
  console.log(`load average at the end ${load()}; outage lengths (ms): ${downs.join(', ')}`);
  console.log('| Client | min | median | p90 | max | attempts/s down | runs (ms) |');
  console.log('| --- | --: | --: | --: | --: | --: | --- |');
  const f = (v: number): string => (Number.isFinite(v) ? String(Math.round(v)) : 'never');
  for (const r of rigs) {
    const s = [...r.runs].sort((a, b) => a - b);
    const rate = (r.attempts / (r.downMs / 1000)).toFixed(1);
    console.log(
      `| ${CONTESTANT_LABELS[r.name]} | ${f(s[0]!)} | ${f(median(s))} | ${f(percentile(s, 90))} | ${f(s.at(-1)!)} | ${rate} | ${r.runs.map(f).join(', ')} |`,
    );
  }
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
