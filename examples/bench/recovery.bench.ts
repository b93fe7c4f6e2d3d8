/**
 * `pnpm --filter @breakwater/examples bench:recovery`: restart → first success, over repeated
 * SIGKILL + restart of a real redis-server under a steady GET load (200 req/s), for each
 * contestant in turn on the same machine. Prints min / median / p90 / max per contestant.
 * Options: --restarts=<n> (default 10), --down=<ms> outage length (default 1500),
 * --only=<client,...>.
 */
import { performance } from 'node:perf_hooks';
import { findRedisServer, spawnRedis } from '../demo/redis-process.js';
import { CONTESTANTS, CONTESTANT_LABELS, createContestant } from './contestants.js';
import type { ContestantName } from './contestants.js';

function arg(name: string, fallback: string): string {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit === undefined ? fallback : hit.slice(name.length + 3);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function measure(name: ContestantName, restarts: number, downMs: number): Promise<number[]> {
  const bin = findRedisServer();
  if (bin === null) throw new Error('redis-server is not on PATH');
  const redis = await spawnRedis(bin);
  const c = createContestant(name, redis.url, { timeoutMs: 500, resetTimeoutMs: 1000 });
  const out: number[] = [];
  try {
    await c.connect();
    let restartedAt = Infinity;
    let firstOk = Infinity;
    let stop = false;
    const load = (async () => {
      while (!stop) {
        const start = performance.now();
        void Promise.race([c.get('k'), sleep(3000).then(() => 'hung' as const)]).then(
          (r) => {
            const end = performance.now();
            if (r === 'ok' && start >= restartedAt && end < firstOk) firstOk = end;
          },
          () => undefined,
        );
        await sleep(5);
      }
    })();
    for (let i = 0; i < restarts; i++) {
      await sleep(500);
      await redis.kill();
      await sleep(downMs);
      firstOk = Infinity;
      await redis.restart();
      restartedAt = performance.now();
      const until = restartedAt + 10_000;
      while (firstOk === Infinity && performance.now() < until) await sleep(5);
      out.push(firstOk - restartedAt);
      restartedAt = Infinity;
    }
    stop = true;
    await load;
  } finally {
    await Promise.race([c.close().catch(() => undefined), sleep(2000)]);
    await redis.stop();
  }
  return out;
}

async function main(): Promise<void> {
  const restarts = Number(arg('restarts', '10'));
  const downMs = Number(arg('down', '1500'));
  const only = arg('only', CONTESTANTS.join(',')).split(',') as ContestantName[];
  console.log(
    `recovery bench: ${restarts} × (SIGKILL, ${downMs} ms down, restart), GET every 5 ms; Node ${process.version}`,
  );
  console.log('| Client | min | median | p90 | max | runs (ms) |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const name of only) {
    const runs = await measure(name, restarts, downMs);
    const s = [...runs].sort((a, b) => a - b);
    const f = (v: number): string => (Number.isFinite(v) ? String(Math.round(v)) : 'never');
    console.log(
      `| ${CONTESTANT_LABELS[name]} | ${f(s[0]!)} | ${f(quantile(s, 0.5))} | ${f(quantile(s, 0.9))} | ${f(s.at(-1)!)} | ${runs.map(f).join(', ')} |`,
    );
  }
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
