/** A steady call load for fault tests: records how every call settled and when. */
import type { RedisFailureKind } from '../src/index.js';

export interface CallRecord {
  start: number;
  end: number;
  latency: number;
  outcome: 'success' | 'fallback' | 'error';
  kind?: RedisFailureKind;
  error?: unknown;
}

export interface LoadResult {
  records: CallRecord[];
  /** Calls that had not settled when the load was stopped and drained. */
  unsettled: number;
  maxLatency: number;
  successes: number;
  fallbacks: number;
  errors: number;
  byKind: Record<string, number>;
}

export interface Load {
  stop(drainMs?: number): Promise<LoadResult>;
  /** Records so far (settled calls only). */
  readonly records: readonly CallRecord[];
}

/**
 * Issues `call()` every `intervalMs` (at most `concurrency` in flight per tick) until stopped.
 * `call` must resolve to either a value or a `{ fallback: kind }` marker.
 */
export function startLoad(
  call: () => Promise<{ fallback?: RedisFailureKind } | unknown>,
  intervalMs = 10,
  perTick = 1,
): Load {
  const records: CallRecord[] = [];
  let inFlight = 0;
  const timer = setInterval(() => {
    for (let i = 0; i < perTick; i++) {
      const start = performance.now();
      inFlight++;
      call().then(
        (v) => {
          const end = performance.now();
          const fb = (v as { fallback?: RedisFailureKind } | null)?.fallback;
          records.push({
            start,
            end,
            latency: end - start,
            outcome: fb === undefined ? 'success' : 'fallback',
            ...(fb === undefined ? {} : { kind: fb }),
          });
          inFlight--;
        },
        (error: unknown) => {
          const end = performance.now();
          records.push({ start, end, latency: end - start, outcome: 'error', error });
          inFlight--;
        },
      );
    }
  }, intervalMs);
  return {
    records,
    async stop(drainMs = 3000): Promise<LoadResult> {
      clearInterval(timer);
      const until = Date.now() + drainMs;
      while (inFlight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      const byKind: Record<string, number> = {};
      for (const r of records) if (r.kind) byKind[r.kind] = (byKind[r.kind] ?? 0) + 1;
      return {
        records: [...records],
        unsettled: inFlight,
        maxLatency: Math.max(0, ...records.map((r) => r.latency)),
        successes: records.filter((r) => r.outcome === 'success').length,
        fallbacks: records.filter((r) => r.outcome === 'fallback').length,
        errors: records.filter((r) => r.outcome === 'error').length,
        byKind,
      };
    },
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` every 20 ms until true or `timeoutMs` passes; returns whether it held. */
export async function waitUntil(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (cond()) return true;
    await sleep(20);
  }
  return cond();
}
