/**
 * A steady call load for the failover tests: one loop per key, each calling
 * executeRedisOperation(GET) back to back with a short pause, recording every call.
 */
import type { RedisFailureKind } from '../../src/types.js';

/** One settled call. */
export interface CallRecord {
  key: string;
  start: number;
  end: number;
  result: 'success' | 'fallback' | 'error';
  kind?: RedisFailureKind;
  /** Message of the error a call rejected with (result 'error'). */
  error?: string;
}

/**
 * Runs `call(key)` per key until stopped. Closed loop (default): the next call starts
 * `pauseMs` after the previous one settled. Open loop: a call starts every `pauseMs`
 * whatever the previous ones do (independent clients, as in production traffic).
 */
export class SteadyLoad {
  readonly records: CallRecord[] = [];
  private stopped = false;
  private loops: Promise<void>[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly keys: readonly string[],
    private readonly call: (key: string) => Promise<'ok' | { fallback: RedisFailureKind }>,
    private readonly pauseMs = 10,
    private readonly openLoop = false,
  ) {}

  start(): void {
    this.loops = this.keys.map((k) => this.loop(k));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
    await Promise.all([...this.inFlight]);
  }

  private async loop(key: string): Promise<void> {
    while (!this.stopped) {
      if (this.openLoop) {
        const p = this.once(key).finally(() => this.inFlight.delete(p));
        this.inFlight.add(p);
      } else {
        await this.once(key);
      }
      await new Promise((r) => setTimeout(r, this.pauseMs));
    }
  }

  private async once(key: string): Promise<void> {
    {
      const start = performance.now();
      let rec: CallRecord;
      try {
        const r = await this.call(key);
        const end = performance.now();
        rec =
          r === 'ok'
            ? { key, start, end, result: 'success' }
            : { key, start, end, result: 'fallback', kind: r.fallback };
      } catch (e) {
        rec = { key, start, end: performance.now(), result: 'error', error: String(e) };
      }
      this.records.push(rec);
    }
  }
}

/** Summary figures of a set of records. */
export function summarize(records: readonly CallRecord[]): {
  calls: number;
  successes: number;
  fallbacks: number;
  errors: number;
  maxMs: number;
  kinds: Record<string, number>;
  /** Distinct messages of rejected calls (at most 3). */
  errorMessages?: string[];
} {
  const kinds: Record<string, number> = {};
  let maxMs = 0;
  let successes = 0;
  let fallbacks = 0;
  let errors = 0;
  for (const r of records) {
    maxMs = Math.max(maxMs, r.end - r.start);
    if (r.result === 'success') successes++;
    else if (r.result === 'fallback') {
      fallbacks++;
      kinds[r.kind!] = (kinds[r.kind!] ?? 0) + 1;
    } else errors++;
  }
  const out = {
    calls: records.length,
    successes,
    fallbacks,
    errors,
    maxMs: Math.round(maxMs),
    kinds,
  };
  if (errors === 0) return out;
  const errorMessages = [
    ...new Set(records.filter((r) => r.error !== undefined).map((r) => r.error!)),
  ];
  return { ...out, errorMessages: errorMessages.slice(0, 3) };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Adapter timings shared by the cluster and Sentinel suites: fast to trip and to recover. */
export const TEST_TIMINGS = {
  connectTimeout: 1000,
  breaker: {
    failureThreshold: 5,
    failureRateThreshold: 0.5,
    monitoringWindow: 2000,
    resetTimeout: 500,
  },
  reportInterval: 60_000,
} as const;
