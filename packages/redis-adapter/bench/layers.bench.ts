/**
 * Where an executeRedisOperation(GET) spends its time, layer by layer (BENCHMARKS.md, issue 14):
 * the raw client call; the same call behind a bare wrapper (its own promise and one reaction,
 * nothing else: no deadline at all); a hand-written breaker core, the least a breaker with a
 * deadline on every call does (a pooled call object in the breaker's own deadline list, one
 * cached clock read, a state check and one count in its own sliding window; no options, hooks,
 * observers or classification); `breaker.execute` with a timeout; and `executeRedisOperation`.
 * The first two are floors: what any wrapper, and any correct breaker, costs on this machine.
 * Over a fake client whose GET resolves at once (CPU only) and over a real redis-server started
 * here, at concurrency 100. All variants in one process, interleaved in short rounds (the speed
 * of a shared VM drifts over seconds); p10 and median of the rounds, ns per call.
 *
 *   pnpm --filter @breakwater/redis-adapter bench:layers     (ROUNDS=120 CONCURRENCY=100)
 */
import os from 'node:os';
import { CircuitBreaker } from '@breakwater/breaker';
import { createRedisAdapter, wrapRedisClient } from '../src/index.js';
import { startRedis } from '../../../test-support/redis-server.js';
// Internals of the breaker, for the hand-written core only (not part of its public API).
import { DeadlineList } from '../../breaker/src/deadline-list.js';
import type { DeadlineEntry } from '../../breaker/src/deadline-list.js';
import { SlidingWindow } from '../../breaker/src/sliding-window.js';
import { cachedSystemNow, systemClock } from '../../breaker/src/clock.js';
import { instantClient } from '../../../test-support/instant-client.js';

const ROUNDS = Number(process.env.ROUNDS ?? 120);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 100);
type Get = () => Promise<unknown>;
interface GetClient {
  get(key: string): Promise<unknown>;
}

async function round(get: Get, calls: number): Promise<number> {
  let left = calls;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) await get();
    }),
  );
  return ((performance.now() - t0) * 1e6) / calls;
}

/** The four layers over `client`, the adapter being `adapter` (whose client is `client`). */
function layers(
  client: GetClient,
  adapter: ReturnType<typeof wrapRedisClient>,
): Record<string, Get> {
  const breaker = new CircuitBreaker('layers', { timeout: 1000 });
  const fallback = (): null => null;
  const op = (c: unknown): Promise<unknown> => (c as GetClient).get('k');
  const get = (): Promise<unknown> => client.get('k');
  let captured: (v: unknown) => void = () => undefined;
  const capture = (resolve: (v: unknown) => void): void => void (captured = resolve);
  return {
    raw: get,
    'bare wrapper (floor)': () => {
      const p = new Promise(capture);
      const settle = captured;
      get().then(settle, settle);
      return p;
    },
    'breaker core (floor)': breakerCore(get),
    'breaker.execute': () => breaker.execute(get, fallback),
    executeRedisOperation: () => adapter.executeRedisOperation(op, fallback, 'get'),
  };
}

/** The least a closed breaker with a 1 s deadline on every call does; see the file comment. */
function breakerCore(get: Get): Get {
  const list = new DeadlineList(systemClock);
  const window = new SlidingWindow(10_000, 10);
  const state = { kind: 'closed' };
  let free: CoreCall | null = null;
  let captured: (v: unknown) => void = () => undefined;
  const capture = (resolve: (v: unknown) => void): void => void (captured = resolve);
  class CoreCall implements DeadlineEntry {
    deadline = 0;
    prev: DeadlineEntry | null = null;
    next: DeadlineEntry | null = null;
    linked = false;
    resolve: (v: unknown) => void = () => undefined;
    nextFree: CoreCall | null = null;
    readonly onValue = (v: unknown): void => this.settle(v, false);
    readonly onError = (): void => this.settle(null, true);
    settle(v: unknown, failed: boolean): void {
      if (!this.linked) return;
      list.remove(this);
      window.record(cachedSystemNow(), failed, false);
      const resolve = this.resolve;
      release(this);
      resolve(v);
    }
    expire(): void {
      this.resolve(null);
    }
  }
  function release(call: CoreCall): void {
    call.nextFree = free;
    free = call;
  }
  return () => {
    if (state.kind !== 'closed') return Promise.resolve(null);
    const call = free ?? new CoreCall();
    free = call.nextFree;
    const p = new Promise(capture);
    call.resolve = captured;
    call.deadline = cachedSystemNow() + 1000;
    list.insert(call);
    get().then(call.onValue, call.onError);
    return p;
  };
}

async function measure(title: string, variants: Record<string, Get>, calls: number): Promise<void> {
  const names = Object.keys(variants);
  for (const n of names) await round(variants[n]!, calls);
  const ns: Record<string, number[]> = {};
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < names.length; i++) {
      const n = names[(i + r) % names.length]!;
      (ns[n] ??= []).push(await round(variants[n]!, calls));
    }
  }
  const q = (xs: number[], p: number): number =>
    [...xs].sort((a, b) => a - b)[Math.floor(p * xs.length)]!;
  const base = q(ns.raw!, 0.1);
  const baseMedian = q(ns.raw!, 0.5);
  console.log(
    `\n${title}\n\n| layer | ns per call, p10 | median | added to raw (p10) | raw's throughput kept (medians) |\n|---|---|---|---|---|`,
  );
  for (const n of names) {
    const p10 = q(ns[n]!, 0.1);
    console.log(
      `| ${n} | ${p10.toFixed(0)} | ${q(ns[n]!, 0.5).toFixed(0)} | ${p10 - base >= 0 ? '+' : ''}${(p10 - base).toFixed(0)} | ${((100 * baseMedian) / q(ns[n]!, 0.5)).toFixed(1)} % |`,
    );
  }
}

console.log(
  `# layers bench: ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, Node ${process.version}, ` +
    `concurrency ${CONCURRENCY}, ${ROUNDS} interleaved rounds, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
);
const fake = instantClient();
await measure(
  'Fake client (CPU only), rounds of 20 000 calls:',
  layers(fake, wrapRedisClient(fake as never)),
  20_000,
);

const server = await startRedis();
const adapter = createRedisAdapter({ url: server.url });
await adapter.connect();
await adapter.client.set('k', 'x'.repeat(32));
await measure(
  'Loopback redis-server, rounds of 10 000 GETs:',
  layers(adapter.client, adapter as unknown as ReturnType<typeof wrapRedisClient>),
  10_000,
);
await adapter.close();
await server.stop();
