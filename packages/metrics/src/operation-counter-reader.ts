/**
 * Reads a breakwater adapter's own outcome counts (`countOperations()`) at collection time and
 * hands on what was added since the previous read, as increments per operation, result and
 * reason: the metrics then cost the adapter's calls one integer increment each, and no callback.
 */
import { FALLBACK_REASONS } from './metric-names.js';
import type {
  AdapterOperationCounter,
  RedisFallbackReason,
  RedisOperationResultName,
  Unsubscribe,
} from './types.js';

/** Receives increments (`n` ≥ 0; 0 the first time a series is seen, so it exists from then on). */
export type CountSink = (
  operation: string,
  result: RedisOperationResultName,
  reason: RedisFallbackReason | undefined,
  n: number,
) => void;

/**
 * A pull function that reads `counter` and feeds `sink` the increments since its last call, and
 * a close. Counts that went down (they never should) are ignored until they pass the last value.
 */
export function operationCounterReader(
  counter: AdapterOperationCounter,
  sink: CountSink,
): { pull(): void; close: Unsubscribe } {
  const last = new Map<string, { success: number; error: number; fallback: number[] }>();
  const step = (before: number, now: unknown): number =>
    typeof now === 'number' && now > before ? now : before;
  return {
    pull() {
      for (const c of counter.read()) {
        let prev = last.get(c.operation);
        const first = prev === undefined;
        prev ??= { success: 0, error: 0, fallback: FALLBACK_REASONS.map(() => 0) };
        const success = step(prev.success, c.success);
        const error = step(prev.error, c.error);
        if (first || success > prev.success)
          sink(c.operation, 'success', undefined, success - prev.success);
        if (first || error > prev.error) sink(c.operation, 'error', undefined, error - prev.error);
        for (let i = 0; i < FALLBACK_REASONS.length; i++) {
          const reason = FALLBACK_REASONS[i]!;
          const n = step(prev.fallback[i]!, c.fallback[reason]);
          if (first || n > prev.fallback[i]!)
            sink(c.operation, 'fallback', reason, n - prev.fallback[i]!);
          prev.fallback[i] = n;
        }
        prev.success = success;
        prev.error = error;
        last.set(c.operation, prev);
      }
    },
    close: () => counter.close(),
  };
}
