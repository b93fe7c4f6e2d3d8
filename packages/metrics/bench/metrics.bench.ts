/**
 * Cost of @breakwater/metrics: per-call overhead on a breaker, and scrape time.
 * Run: pnpm exec tsx packages/metrics/bench/metrics.bench.ts (medians of alternating rounds).
 */
import { CircuitBreaker } from '@breakwater/breaker';
import { Registry } from 'prom-client';
import { instrumentBreaker } from '../src/index.js';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** ns per execute() for a bare and an instrumented breaker, measured in alternating rounds. */
async function perCall(fail: boolean): Promise<{ bare: number; instrumented: number }> {
  const bare = new CircuitBreaker('bare', { failureThreshold: 1e9 });
  const inst = new CircuitBreaker('inst', { failureThreshold: 1e9 });
  instrumentBreaker(inst, { registry: new Registry() });
  const op = fail
    ? (): number => {
        throw new Error('x');
      }
    : (): number => 1;
  const fallback = (): number => 0;
  const n = 100_000;
  const round = async (b: CircuitBreaker): Promise<number> => {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await b.execute(op, fallback);
    return ((performance.now() - t0) * 1e6) / n;
  };
  await round(bare);
  await round(inst);
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < 11; r++) {
    a.push(await round(bare));
    b.push(await round(inst));
  }
  return { bare: median(a), instrumented: median(b) };
}

async function scrape(breakers: number): Promise<{ ms: number; bytes: number }> {
  const registry = new Registry();
  for (let i = 0; i < breakers; i++) {
    instrumentBreaker(new CircuitBreaker(`b${i}`), { registry });
  }
  let bytes = 0;
  for (let i = 0; i < 5; i++) bytes = (await registry.metrics()).length;
  const runs: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t0 = performance.now();
    await registry.metrics();
    runs.push(performance.now() - t0);
  }
  return { ms: median(runs), bytes };
}

const rows: string[] = [];
for (const fail of [false, true]) {
  const { bare: base, instrumented: inst } = await perCall(fail);
  rows.push(
    `execute (${fail ? 'failure + fallback' : 'success'}): ${base.toFixed(0)} ns/call bare, ` +
      `${inst.toFixed(0)} ns/call instrumented (+${(inst - base).toFixed(0)} ns)`,
  );
}
for (const n of [1, 10, 100]) {
  const { ms, bytes } = await scrape(n);
  rows.push(`scrape ${n} breaker(s): ${ms.toFixed(2)} ms, ${(bytes / 1024).toFixed(1)} KiB`);
}
console.log(`node ${process.version}\n${rows.join('\n')}`);
