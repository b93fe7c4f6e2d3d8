/**
 * executeRedisOperation(GET) vs the raw client on loopback, against a redis-server started
 * here, over node-redis and over ioredis (issue 13: >= 95 % of the same client's raw
 * throughput). Concurrency 1 and 100; variants interleaved round by round in one run so that
 * machine noise hits all of them alike. Prints a markdown table (median of the rounds), then
 * the ratios against their targets.
 *
 *   pnpm --filter @breakwater/redis-adapter bench        (ROUNDS=7 ROUND_MS=1000 to change;
 *   REJECT_IN_FLIGHT=1 adds the adapter's node-redis settings with 6.4's rejectInFlight)
 */
import os from 'node:os';
import { createClient } from 'redis';
import { createRedisAdapter } from '../src/index.js';
import { createIoredisAdapter } from '../src/ioredis/index.js';
import { startRedis } from '../../../test-support/redis-server.js';

const ROUNDS = Number(process.env.ROUNDS ?? 15);
const ROUND_MS = Number(process.env.ROUND_MS ?? 500);

type Get = () => Promise<unknown>;
interface Sample {
  opsPerSec: number;
  p50: number;
  p99: number;
}

async function runRound(get: Get, concurrency: number, ms: number): Promise<Sample> {
  const lat: number[] = [];
  let ops = 0;
  const end = performance.now() + ms;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const t = performance.now();
      await get();
      lat.push(performance.now() - t);
      ops++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - t0;
  lat.sort((a, b) => a - b);
  const q = (p: number): number => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? 0;
  return { opsPerSec: (ops / elapsed) * 1000, p50: q(0.5), p99: q(0.99) };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

const server = await startRedis();
const raw = createClient({ url: server.url });
raw.on('error', () => undefined);
await raw.connect();
const adapter = createRedisAdapter({ url: server.url });
await adapter.connect();
const ioAdapter = createIoredisAdapter({ url: server.url });
await ioAdapter.connect();
// REJECT_IN_FLIGHT=1: also the adapter's client settings with node-redis 6.4's own in-flight
// deadline switched on (what adopting `rejectInFlight` would cost per command; BENCHMARKS.md).
const inFlight =
  process.env.REJECT_IN_FLIGHT === '1'
    ? createClient({
        url: server.url,
        disableOfflineQueue: true,
        commandOptions: { timeout: 1000, rejectInFlight: true },
      })
    : undefined;
inFlight?.on('error', () => undefined);
await inFlight?.connect();
await raw.set('bench:key', 'x'.repeat(32));

const variants: Record<string, Get> = {
  'raw node-redis (defaults)': () => raw.get('bench:key'),
  "raw: the adapter's own client": () => adapter.client.get('bench:key'),
  'executeRedisOperation(GET)': () =>
    adapter.executeRedisOperation(
      (c) => c.get('bench:key'),
      () => null,
      'bench-get',
    ),
  "raw ioredis: the ioredis adapter's own client": () => ioAdapter.client.get('bench:key'),
  'executeRedisOperation(GET) over ioredis': () =>
    ioAdapter.executeRedisOperation(
      (c) => c.get('bench:key'),
      () => null,
      'bench-get',
    ),
};
if (inFlight !== undefined) {
  variants['raw: same settings + timeout 1000, rejectInFlight'] = () => inFlight.get('bench:key');
}
/** Each adapter variant against the raw calls of its own client, with the target (issue 13/14). */
const TARGETS: Array<[variant: string, raw: string, target: number]> = [
  ['executeRedisOperation(GET)', "raw: the adapter's own client", 95],
  ['executeRedisOperation(GET) over ioredis', "raw ioredis: the ioredis adapter's own client", 95],
];
/** Same-client reference of each variant (the ioredis rows against the ioredis client). */
const sameClient = (name: string): string =>
  name.includes('ioredis')
    ? "raw ioredis: the ioredis adapter's own client"
    : "raw: the adapter's own client";
const verdicts: string[] = [];

const rows: string[] = [];
console.log(
  `# redis-adapter bench: ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, Node ${process.version}, ` +
    `${ROUNDS} rounds x ${ROUND_MS} ms per variant, loopback redis-server, load average ` +
    os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
);
for (const concurrency of [1, 100]) {
  // Warm-up (JIT, connections).
  for (const get of Object.values(variants)) await runRound(get, concurrency, 300);
  const samples: Record<string, Sample[]> = {};
  for (let r = 0; r < ROUNDS; r++) {
    const names = Object.keys(variants);
    // Rotate the order each round.
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length]!;
      (samples[name] ??= []).push(await runRound(variants[name]!, concurrency, ROUND_MS));
    }
  }
  // Ratios are taken per round (the variants of one round ran back to back, so they saw the
  // same machine load), then the median over rounds: robust on a shared, noisy machine.
  const perRound = (name: string, ref: string): number =>
    median(samples[name]!.map((s, i) => s.opsPerSec / samples[ref]![i]!.opsPerSec)) * 100;
  for (const [name, ss] of Object.entries(samples)) {
    const ops = median(ss.map((s) => s.opsPerSec));
    const lo = Math.min(...ss.map((s) => s.opsPerSec));
    const hi = Math.max(...ss.map((s) => s.opsPerSec));
    rows.push(
      `| ${concurrency} | ${name} | ${Math.round(ops).toLocaleString('en-US')} | ` +
        `${Math.round(lo).toLocaleString('en-US')}–${Math.round(hi).toLocaleString('en-US')} | ` +
        `${median(ss.map((s) => s.p50)).toFixed(3)} | ${median(ss.map((s) => s.p99)).toFixed(3)} | ` +
        `${perRound(name, 'raw node-redis (defaults)').toFixed(1)}% | ` +
        `${perRound(name, sameClient(name)).toFixed(1)}% |`,
    );
  }
  for (const [variant, ref, target] of TARGETS) {
    const ratio = perRound(variant, ref);
    verdicts.push(
      `| ${concurrency} | ${variant} | ${ratio.toFixed(1)}% | >= ${target}% | ${ratio >= target ? 'met' : 'NOT met'} |`,
    );
  }
}
console.log(
  '\n| concurrency | variant | GET/s (median) | GET/s (min–max of rounds) | p50 ms | p99 ms | vs raw defaults (median per-round ratio) | vs same client raw (median per-round ratio) |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
console.log(
  `\nTargets (median per-round ratio to the same client's raw GET; load average now ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}):\n\n| concurrency | variant | ratio | target | status |\n|---|---|---|---|---|`,
);
for (const v of verdicts) console.log(v);

await raw.close();
await inFlight?.close();
await adapter.close();
await ioAdapter.close();
await server.stop();
