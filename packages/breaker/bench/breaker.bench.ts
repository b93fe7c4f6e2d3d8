/**
 * Per-call overhead of @breakwater/breaker (breaker, bulkhead, policy) next to opossum and
 * cockatiel, in ONE process with interleaved rounds, plus memory and timers per idle breaker.
 *
 *   pnpm --filter @breakwater/breaker bench
 *
 * Peers: on Node < 22 opossum 9 and cockatiel 3.2 (their current majors need Node >= 22); on
 * Node >= 22 opossum 10 and cockatiel 4 (devDependency aliases `opossum10`, `cockatiel4`).
 * `PEERS=legacy` or `PEERS=current` overrides the choice.
 *
 * Not a test: figures depend on the machine and its load. Each case runs a warmup, then
 * ROUNDS rounds; in every round each contender runs ITERATIONS sequential awaited calls,
 * in an order that rotates per round. Reported: median ns/call over rounds and its ratio to
 * the bare `await fn()` of the same case in the same run, plus the best (fastest) round and
 * its ratio, which is steadier on a machine shared with other work.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type OpossumType from 'opossum';
import type * as CockatielModule from 'cockatiel';
import { Bulkhead, CircuitBreaker, policy } from '../src/index.js';
import { MinimalTimedCalls } from './minimal-timed-call.js';

const CURRENT_PEERS =
  process.env.PEERS === undefined
    ? Number(process.versions.node.split('.')[0]) >= 22
    : process.env.PEERS === 'current';
const OPOSSUM_MODULE = CURRENT_PEERS ? 'opossum10' : 'opossum';
const COCKATIEL_MODULE = CURRENT_PEERS ? 'cockatiel4' : 'cockatiel';
// Non-literal specifiers: the aliases have no types of their own; both majors share the API used.
const OpossumBreaker = ((await import(OPOSSUM_MODULE)) as { default: typeof OpossumType }).default;
type OpossumBreaker = OpossumType;
const {
  ConsecutiveBreaker,
  TimeoutStrategy,
  bulkhead: cockatielBulkhead,
  circuitBreaker,
  fallback: cockatielFallback,
  handleAll,
  timeout: cockatielTimeout,
  wrap,
} = (await import(COCKATIEL_MODULE)) as typeof CockatielModule;
const versionOf = (module: string): string =>
  (
    JSON.parse(
      readFileSync(new URL(`../node_modules/${module}/package.json`, import.meta.url), 'utf8'),
    ) as { version: string }
  ).version;
const OPOSSUM = `opossum ${versionOf(OPOSSUM_MODULE)}`;
const COCKATIEL = `cockatiel ${versionOf(COCKATIEL_MODULE)}`;

const ROUNDS = Number(process.env.ROUNDS ?? 20);
const ITERATIONS = Number(process.env.ITERATIONS ?? 10_000);

type Runner = () => Promise<unknown>;
interface Contender {
  name: string;
  /** Runs one call; must handle its own rejection. */
  run: Runner;
  iterations?: number;
}

const value = async (): Promise<number> => 1;
const failure = new Error('down');
let counter = 0;
/** Fails every 10th call. */
const tenPercent = async (): Promise<number> => {
  if (++counter % 10 === 0) throw failure;
  return 1;
};
const swallow = (): number => 0;

/**
 * The floor of any timeout that settles the caller at the deadline: the call must return a
 * promise of its own, settled by whichever comes first. This is only that race (one promise
 * with a shared executor, one `then` on the op's promise), with no deadline bookkeeping.
 */
let raceResolve: (v: number) => void = () => {};
let raceReject: (e: unknown) => void = () => {};
const captureRace = (res: (v: number) => void, rej: (e: unknown) => void): void => {
  raceResolve = res;
  raceReject = rej;
};
function raceFloor(): Promise<number> {
  const promise = new Promise<number>(captureRace);
  value().then(raceResolve, raceReject);
  return promise;
}
/**
 * The race floor around an untimed closed breakwater call: the race plus the breaker's own
 * admission and outcome recording, with no deadline bookkeeping at all. A lower bound (give or
 * take the pass-through's extra reaction) for any timed call built on the same recording.
 */
const untimed = new CircuitBreaker('bench-untimed', { resetTimeout: 10_000 });
function raceAroundClosedCall(): Promise<number> {
  const promise = new Promise<number>(captureRace);
  untimed.execute(value).then(raceResolve, raceReject);
  return promise;
}
const fallbackValue = (): number => 0;

/**
 * Real callers usually pass a fresh closure per call (`() => client.get(key)`), not one shared
 * function: a "fresh closure" row builds one per call, so breakwater cannot reuse what it learnt
 * about the previous op (it caches `op.length` for the last op only). The bare counterpart
 * builds and calls one too. Both closures are anonymous on purpose: tsx (esbuild `keepNames`)
 * wraps a closure assigned to a named variable in a `__name()` call that redefines its `name`
 * per creation, which alone costs ~450 ns here and is not what compiled code pays.
 */
const freshBare = (): Promise<number> => (() => value())();

async function measure(c: Contender, iterations: number): Promise<number> {
  const run = c.run;
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await run();
  return Number(process.hrtime.bigint() - start) / iterations;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Issue 15's targets: ratio to bare of one contender in one case. */
const TARGETS: Array<[caseTitle: string, contender: string, target: number]> = [
  ['closed, succeeding', 'breakwater', 2],
  ['closed, 1 s timeout', 'breakwater', 3],
  ['open, with fallback', 'breakwater', 1.5],
  ['bulkhead, admit + release', 'breakwater Bulkhead', 2],
];
const verdicts: string[] = [];

async function bench(title: string, contenders: Contender[]): Promise<string[]> {
  for (const c of contenders) await measure(c, Math.min(c.iterations ?? ITERATIONS, 5_000)); // warmup
  const samples = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < contenders.length; k++) {
      const c = contenders[(k + r) % contenders.length]!;
      samples.get(c.name)!.push(await measure(c, c.iterations ?? ITERATIONS));
    }
  }
  const bare = median(samples.get('bare')!);
  const bareBest = Math.min(...samples.get('bare')!);
  for (const [caseTitle, contender, target] of TARGETS) {
    if (caseTitle !== title) continue;
    const ratio = median(samples.get(contender)!) / bare;
    const best = Math.min(...samples.get(contender)!) / bareBest;
    verdicts.push(
      `| ${title} | ${contender} | ${ratio.toFixed(2)}x | ${best.toFixed(2)}x | <= ${target}x | ` +
        `${ratio <= target ? 'met' : 'NOT met'} |`,
    );
  }
  return contenders.map((c) => {
    const ns = median(samples.get(c.name)!);
    const best = Math.min(...samples.get(c.name)!);
    return (
      `| ${title} | ${c.name} | ${ns.toFixed(0)} | ${(ns / bare).toFixed(2)}x ` +
      `| ${best.toFixed(0)} | ${(best / bareBest).toFixed(2)}x |`
    );
  });
}

/** The cockatiel breaker of every case: consecutive, 5 failures, 10 s half-open delay. */
function cockatielBreaker(): ReturnType<typeof circuitBreaker> {
  return circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) });
}

function opossum(fn: () => Promise<number>, extra: object = {}): OpossumBreaker {
  return new OpossumBreaker(fn, { timeout: false, ...extra });
}

async function perCall(): Promise<string[]> {
  const rows: string[] = [];
  // 1. closed and succeeding
  {
    const bw = new CircuitBreaker('bench', { resetTimeout: 10_000 });
    const onlyBreaker = policy({
      breaker: new CircuitBreaker('bench-p', { resetTimeout: 10_000 }),
    });
    const op = opossum(value);
    const ck = cockatielBreaker();
    rows.push(
      ...(await bench('closed, succeeding', [
        { name: 'bare', run: () => value() },
        { name: 'bare, fresh closure', run: freshBare },
        { name: 'breakwater', run: () => bw.execute(value) },
        { name: 'breakwater, fresh closure', run: () => bw.execute(() => value()) },
        { name: 'breakwater policy({ breaker })', run: () => onlyBreaker.execute(value) },
        { name: OPOSSUM, run: () => op.fire() },
        { name: COCKATIEL, run: () => ck.execute(value) },
      ])),
    );
    op.shutdown();
  }
  // 2. closed with a 1 s timeout
  {
    const bw = new CircuitBreaker('bench', { resetTimeout: 10_000, timeout: 1000 });
    const timed = policy({
      breaker: new CircuitBreaker('bench-pt', { resetTimeout: 10_000 }),
      timeout: 1000,
    });
    const minimal = new MinimalTimedCalls(1000);
    const op = opossum(value, { timeout: 1000 });
    const ck = wrap(cockatielTimeout(1000, TimeoutStrategy.Aggressive), cockatielBreaker());
    rows.push(
      ...(await bench('closed, 1 s timeout', [
        { name: 'bare', run: () => value() },
        { name: 'bare, fresh closure', run: freshBare },
        { name: 'race floor (no breaker)', run: raceFloor },
        { name: 'race floor + untimed breakwater call', run: raceAroundClosedCall },
        {
          name: 'minimal timed call, no breaker (bench/minimal-timed-call.ts)',
          run: () => minimal.run(value),
        },
        { name: 'breakwater', run: () => bw.execute(value) },
        { name: 'breakwater, fresh closure', run: () => bw.execute(() => value()) },
        { name: 'breakwater policy({ breaker, timeout })', run: () => timed.execute(value) },
        { name: OPOSSUM, run: () => op.fire() },
        { name: COCKATIEL, run: () => ck.execute(value) },
      ])),
    );
    op.shutdown();
  }
  // 3. open with a fallback
  {
    const bw = new CircuitBreaker('bench', { resetTimeout: 10_000 });
    bw.forceOpen();
    const op = opossum(value);
    op.fallback(fallbackValue);
    op.open();
    const ckBreaker = cockatielBreaker();
    ckBreaker.isolate();
    const ck = wrap(cockatielFallback(handleAll, 0), ckBreaker);
    rows.push(
      ...(await bench('open, with fallback', [
        { name: 'bare', run: () => value() },
        { name: 'breakwater', run: () => bw.execute(value, fallbackValue) },
        { name: OPOSSUM, run: () => op.fire() },
        { name: COCKATIEL, run: () => ck.execute(value) },
      ])),
    );
    op.shutdown();
  }
  // 4. open without a fallback
  {
    const bw = new CircuitBreaker('bench', { resetTimeout: 10_000 });
    bw.forceOpen();
    const op = opossum(value);
    op.open();
    const ck = cockatielBreaker();
    ck.isolate();
    rows.push(
      ...(await bench('open, no fallback (rejects)', [
        { name: 'bare', run: () => value() },
        { name: 'breakwater', run: () => bw.execute(value).catch(swallow) },
        { name: OPOSSUM, run: () => op.fire().catch(swallow) },
        { name: COCKATIEL, run: () => ck.execute(value).catch(swallow) },
      ])),
    );
    op.shutdown();
  }
  // 5. closed with 10% failures (every 10th call throws; the caller catches)
  {
    const bw = new CircuitBreaker('bench', { resetTimeout: 10_000 });
    const op = opossum(tenPercent);
    const ck = cockatielBreaker();
    rows.push(
      ...(await bench('closed, 10% failures', [
        { name: 'bare', run: () => tenPercent().catch(swallow) },
        { name: 'breakwater', run: () => bw.execute(tenPercent).catch(swallow) },
        // opossum's failure path sorts every latency in its window: far fewer iterations.
        { name: OPOSSUM, run: () => op.fire().catch(swallow), iterations: 2_000 },
        { name: COCKATIEL, run: () => ck.execute(tenPercent).catch(swallow) },
      ])),
    );
    if (bw.state !== 'closed') throw new Error('the 10% case must stay closed');
    op.shutdown();
  }
  return rows;
}

const never = (): Promise<number> => new Promise<number>(() => {});

/** Bulkhead cases: a free slot (admit + release), full with a fallback, and the queue path. */
async function bulkheads(): Promise<string[]> {
  const rows: string[] = [];
  // 6. admit + release: a free slot, sequential calls
  {
    const bh = new Bulkhead({ name: 'bench', maxConcurrent: 10 });
    const ck = cockatielBulkhead(10, 0);
    // opossum has no bulkhead of its own: its breaker's `capacity` semaphore is the nearest thing.
    const op = opossum(value, { capacity: 10 });
    const both = policy({
      bulkhead: new Bulkhead({ name: 'bench-p', maxConcurrent: 10 }),
      breaker: new CircuitBreaker('bench-pb', { resetTimeout: 10_000 }),
    });
    rows.push(
      ...(await bench('bulkhead, admit + release', [
        { name: 'bare', run: () => value() },
        { name: 'breakwater Bulkhead', run: () => bh.execute(value) },
        { name: 'breakwater policy({ bulkhead, breaker })', run: () => both.execute(value) },
        { name: `${OPOSSUM} (breaker with capacity)`, run: () => op.fire() },
        { name: `${COCKATIEL} bulkhead`, run: () => ck.execute(value) },
      ])),
    );
    if (bh.running !== 0) throw new Error('every slot must be free again');
    op.shutdown();
  }
  // 7. full, with a fallback: the one slot is held by a call that never settles
  {
    const bh = new Bulkhead({ name: 'bench', maxConcurrent: 1 });
    void bh.execute(never);
    const ckb = cockatielBulkhead(1, 0);
    void ckb.execute(never);
    const ck = wrap(cockatielFallback(handleAll, 0), ckb);
    const op = opossum(never, { capacity: 1 });
    op.fallback(fallbackValue);
    void op.fire();
    rows.push(
      ...(await bench('bulkhead full, with fallback', [
        { name: 'bare', run: () => value() },
        { name: 'breakwater Bulkhead', run: () => bh.execute(value, fallbackValue) },
        // opossum counts its own semaphore rejections as failures and opens: after the first
        // few calls this row measures its open-circuit fallback path.
        { name: `${OPOSSUM} (breaker with capacity)`, run: () => op.fire() },
        { name: `${COCKATIEL} bulkhead`, run: () => ck.execute(value) },
      ])),
    );
    op.shutdown();
  }
  // 8. the queue path: 100 concurrent calls through 10 slots (90 wait in the queue)
  {
    const bh = new Bulkhead({
      name: 'bench',
      maxConcurrent: 10,
      maxQueued: 100,
      queueTimeout: false,
    });
    const ck = cockatielBulkhead(10, 100);
    const batch = (one: () => Promise<unknown>) => (): Promise<unknown> => {
      const all: Promise<unknown>[] = [];
      for (let i = 0; i < 100; i++) all.push(one());
      return Promise.all(all);
    };
    const iterations = Math.max(1, Math.floor(ITERATIONS / 100));
    rows.push(
      ...(await bench('bulkhead queue: batches of 100 concurrent calls, 10 slots (ns per batch)', [
        { name: 'bare', run: batch(() => value()), iterations },
        { name: 'breakwater Bulkhead', run: batch(() => bh.execute(value)), iterations },
        { name: `${COCKATIEL} bulkhead`, run: batch(() => ck.execute(value)), iterations },
      ])),
    );
  }
  return rows;
}

function getGc(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g !== undefined) return g;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

async function idle(): Promise<string[]> {
  const gc = getGc();
  const N = 10_000;
  const rows: string[] = [];
  const cases: Array<[string, (i: number) => unknown, (x: unknown) => void]> = [
    ['breakwater', (i) => new CircuitBreaker(`b${i}`, { timeout: 1000 }), () => {}],
    [
      OPOSSUM,
      (i) => new OpossumBreaker(value, { name: `b${i}` }),
      (x) => (x as OpossumBreaker).shutdown(),
    ],
    [COCKATIEL, () => cockatielBreaker(), () => {}],
  ];
  for (const [name, create, dispose] of cases) {
    gc();
    gc();
    const heap0 = process.memoryUsage().heapUsed;
    const timers0 = timers();
    const keep = Array.from({ length: N }, (_, i) => create(i));
    gc();
    gc();
    const heap1 = process.memoryUsage().heapUsed;
    const timers1 = timers();
    rows.push(
      `| ${name} | ${((heap1 - heap0) / N).toFixed(0)} | ${((timers1 - timers0) / N).toFixed(2)} |`,
    );
    keep.forEach(dispose);
    keep.length = 0;
  }
  return rows;
}

async function main(): Promise<void> {
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  console.log(
    `machine: ${os.cpus().length} cores, ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM; ` +
      `Node ${process.version}; ${new Date().toISOString()}; ${ROUNDS} rounds x ${ITERATIONS} calls; ` +
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
  );
  console.log(
    '\n| Case | Contender | median ns/call | ratio to bare | best ns/call | best ratio |\n|---|---|---|---|---|---|',
  );
  for (const row of await perCall()) console.log(row);
  for (const row of await bulkheads()) console.log(row);
  console.log(
    `\nTargets (issue 15; load average now ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(
        ' ',
      )}):\n\n| Case | Contender | median ratio | best-round ratio | target | status (median) |\n|---|---|---|---|---|---|`,
  );
  for (const v of verdicts) console.log(v);
  console.log(
    '\n| Library | heap bytes per idle breaker | timers per idle breaker |\n|---|---|---|',
  );
  for (const row of await idle()) console.log(row);
}

await main();
