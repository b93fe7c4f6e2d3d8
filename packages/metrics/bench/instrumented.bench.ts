/**
 * The cost of watching: executeRedisOperation(GET) uninstrumented, instrumented with the
 * Prometheus functions and with the OpenTelemetry ones, as a ratio to the same raw client, on
 * loopback against a redis-server started here, at concurrency 1 and 100. All variants run in
 * one process, interleaved round by round in a rotating order; the ratio is taken per round
 * (variants of a round ran back to back under the same load), median over rounds.
 *
 *   pnpm --filter @breakwater/metrics bench:instrumented     (ROUNDS=60 ROUND_MS=100 to change)
 *
 * Short rounds on purpose: on a shared VM the machine's speed drifts over seconds, and a round
 * (every variant once) that spans 0.5 s pairs each variant with the raw client far better than
 * one that spans 2.5 s (interquartile range of the uninstrumented ratio at concurrency 100:
 * 81–88 % with 60 x 100 ms, 79–96 % with 15 x 500 ms, one machine, one hour apart).
 */
import os from 'node:os';
import { createRedisAdapter, wrapRedisClient } from '@breakwater/redis-adapter';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { Registry } from 'prom-client';
import { instrumentRedisAdapter } from '../src/index.js';
import { instrumentRedisAdapter as instrumentOtel } from '../src/otel/index.js';
import { startRedis } from '../../../test-support/redis-server.js';
import { instantClient } from '../../../test-support/instant-client.js';

const ROUNDS = Number(process.env.ROUNDS ?? 60);
const ROUND_MS = Number(process.env.ROUND_MS ?? 100);
const CPU_ROUNDS = Number(process.env.CPU_ROUNDS ?? 150);
const ONLY = process.env.ONLY; // comma-separated variant names, for ablations

type Get = () => Promise<unknown>;

async function runRound(get: Get, concurrency: number, ms: number): Promise<number> {
  let ops = 0;
  const end = performance.now() + ms;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      await get();
      ops++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return (ops / (performance.now() - t0)) * 1000;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

/** A reader collected on demand (as a scrape would be), never on a timer. */
class OnDemandReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const server = await startRedis();
const adapter = (name: string) => createRedisAdapter({ url: server.url, name });
const plain = adapter('plain');
const prom = adapter('prom');
const otel = adapter('otel');
const otelCounts = adapter('otel-counts');
const registry = new Registry();
instrumentRedisAdapter(prom, { registry });
const reader = new OnDemandReader();
const provider = new MeterProvider({ readers: [reader] });
instrumentOtel(otel, { meterProvider: provider });
instrumentOtel(otelCounts, { meterProvider: provider, durations: false });
const adapters = [plain, prom, otel, otelCounts];
for (const a of adapters) await a.connect();
await plain.client.set('bench:key', 'x'.repeat(32));

const op = <C extends { get(key: string): Promise<unknown> }>(c: C) => c.get('bench:key');
const fb = (): null => null;
const all: Record<string, Get> = {
  raw: () => plain.client.get('bench:key'),
  uninstrumented: () => plain.executeRedisOperation(op, fb, 'get'),
  'prom-client': () => prom.executeRedisOperation(op, fb, 'get'),
  opentelemetry: () => otel.executeRedisOperation(op, fb, 'get'),
  'opentelemetry, durations: false': () => otelCounts.executeRedisOperation(op, fb, 'get'),
};
const variants = Object.fromEntries(
  Object.entries(all).filter(
    ([n]) => n === 'raw' || ONLY === undefined || ONLY.split(',').includes(n),
  ),
);

const load = os
  .loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
console.log(
  `# instrumented bench: ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, Node ${process.version}, ` +
    `${ROUNDS} rounds x ${ROUND_MS} ms per variant, loopback redis-server, load average ${load}`,
);
const rows: string[] = [];
/** Issue 14's targets, as a ratio to the same raw client (%). */
const TARGETS: Record<string, number> = {
  uninstrumented: 95,
  'prom-client': 93,
  opentelemetry: 93,
  'opentelemetry, durations: false': 93,
};
const verdicts: string[] = [];
for (const concurrency of [1, 100]) {
  for (const get of Object.values(variants)) await runRound(get, concurrency, 300);
  const samples: Record<string, number[]> = {};
  const names = Object.keys(variants);
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length]!;
      (samples[name] ??= []).push(await runRound(variants[name]!, concurrency, ROUND_MS));
    }
    // A scrape and a collection per round, as a monitoring system would do.
    await registry.metrics();
    await reader.collect();
  }
  for (const name of names) {
    const ratios = samples[name]!.map((v, i) => v / samples.raw![i]!);
    const sorted = [...ratios].sort((a, b) => a - b);
    rows.push(
      `| ${concurrency} | ${name} | ${Math.round(median(samples[name]!)).toLocaleString('en-US')} | ` +
        `**${(median(ratios) * 100).toFixed(1)}%** | ` +
        `${(sorted[Math.floor(sorted.length / 4)]! * 100).toFixed(1)}–${(sorted[Math.floor((3 * sorted.length) / 4)]! * 100).toFixed(1)}% |`,
    );
    const target = TARGETS[name];
    if (target !== undefined) {
      const ratio = median(ratios) * 100;
      verdicts.push(
        `| ${concurrency} | ${name} | ${ratio.toFixed(1)}% | >= ${target}% | ${ratio >= target ? 'met' : 'NOT met'} |`,
      );
    }
  }
}
console.log(
  `load average after: ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}\n\n` +
    '| concurrency | variant | GET/s (median round) | vs raw (median per-round ratio) | interquartile range of the ratio |\n' +
    '|---|---|---|---|---|',
);
for (const r of rows) console.log(r);
console.log(
  '\nTargets (issue 14):\n\n| concurrency | variant | ratio to raw | target | status |\n|---|---|---|---|---|',
);
for (const v of verdicts) console.log(v);

for (const a of adapters) await a.close();
await server.stop();

// Where the time goes: the same variants over a fake client whose GET resolves at once, so
// that only CPU is measured: ns per call, median of CPU_ROUNDS short interleaved rounds of
// 20,000 calls (short for the same reason as above), at concurrency 1 and 100.
const fakeAdapter = (name: string) => wrapRedisClient(instantClient() as never, { name });
const fPlain = fakeAdapter('f-plain');
const fProm = fakeAdapter('f-prom');
const fOtel = fakeAdapter('f-otel');
const fOtelCounts = fakeAdapter('f-otel-counts');
instrumentRedisAdapter(fProm, { registry });
instrumentOtel(fOtel, { meterProvider: provider });
instrumentOtel(fOtelCounts, { meterProvider: provider, durations: false });
const rawFake = instantClient();
const fop = (c: unknown) => (c as { get(k: string): Promise<unknown> }).get('k');
const cpuVariants: Record<string, Get> = {
  'raw (fake client)': () => rawFake.get('k'),
  uninstrumented: () => fPlain.executeRedisOperation(fop, fb, 'get'),
  'prom-client': () => fProm.executeRedisOperation(fop, fb, 'get'),
  opentelemetry: () => fOtel.executeRedisOperation(fop, fb, 'get'),
  'opentelemetry, durations: false': () => fOtelCounts.executeRedisOperation(fop, fb, 'get'),
};
async function cpuRound(get: Get, concurrency: number, calls: number): Promise<number> {
  let left = calls;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) await get();
    }),
  );
  return ((performance.now() - t0) * 1e6) / calls;
}
console.log(
  '\n| concurrency | variant (fake client, CPU only) | ns per call | added to raw |\n|---|---|---|---|',
);
for (const concurrency of [1, 100]) {
  const ns: Record<string, number[]> = {};
  const names = Object.keys(cpuVariants);
  for (const name of names) await cpuRound(cpuVariants[name]!, concurrency, 20_000);
  for (let r = 0; r < CPU_ROUNDS; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + r) % names.length]!;
      (ns[name] ??= []).push(await cpuRound(cpuVariants[name]!, concurrency, 20_000));
    }
    if (r % 10 === 9) {
      await registry.metrics();
      await reader.collect();
    }
  }
  const base = median(ns['raw (fake client)']!);
  for (const name of names) {
    const m = median(ns[name]!);
    console.log(`| ${concurrency} | ${name} | ${m.toFixed(0)} | +${(m - base).toFixed(0)} |`);
  }
}
await provider.shutdown();
