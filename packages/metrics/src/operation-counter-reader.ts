/**
 * Reads a breakwater adapter's own outcome counts (`countOperations()`) at collection time and
 * hands on what was added since the previous read, as increments per operation, result and
 * reason: the metrics then cost the adapter's calls one integer increment each, and no callback.
 */
import { FALLBACK_REASONS } from './metric-names.js';
import type {
  AdapterOperationCounter,
  InstrumentableRedisAdapter,
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
      const due: [string, RedisOperationResultName, RedisFallbackReason | undefined, number][] = [];
      for (const c of counter.read()) {
        const prev = last.get(c.operation);
        const first = prev === undefined;
        const before = prev ?? { success: 0, error: 0, fallback: FALLBACK_REASONS.map(() => 0) };
        const now = {
          success: step(before.success, c.success),
          error: step(before.error, c.error),
          fallback: FALLBACK_REASONS.map((r, i) => step(before.fallback[i]!, c.fallback[r])),
        };
        const add = (
          result: RedisOperationResultName,
          reason: RedisFallbackReason | undefined,
          n: number,
        ): void => {
          if (first || n > 0) due.push([c.operation, result, reason, n]);
        };
        add('success', undefined, now.success - before.success);
        add('error', undefined, now.error - before.error);
        FALLBACK_REASONS.forEach((r, i) =>
          add('fallback', r, now.fallback[i]! - before.fallback[i]!),
        );
        last.set(c.operation, now);
      }
      // Handed on only once every value is recorded as seen: a sink that throws loses those
      // increments, it can never make them count twice.
      for (const [operation, result, reason, n] of due) sink(operation, result, reason, n);
    },
    close: () => counter.close(),
  };
}

/** An adapter's operation outcomes, as one of the instrumentations consumes them. */
export interface OperationSubscription {
  /** Reads the adapter's own counts (a no-op when the outcomes come one by one instead). */
  pull(): void;
  unsubscribe: Unsubscribe;
}

/**
 * Subscribes to `adapter`'s operation outcomes the cheapest way that gives what is wanted:
 * without durations, from a breakwater adapter's own counts (`countOperations()`, read by
 * `pull()` at collection time; only while it counts more names one by one than `maxOperations`,
 * so the instrumentation's own folding into `other` decides), else from `observeOperations`,
 * else from the 'operation' event. Call it last in a setup: it is what opens a counter.
 */
export function subscribeOperations(
  adapter: InstrumentableRedisAdapter,
  o: { readonly maxOperations: number; readonly durations: boolean },
  onCounts: CountSink,
  onOperation: (
    operation: string,
    result: RedisOperationResultName,
    reason: RedisFallbackReason | undefined,
    durationMs: number,
  ) => void,
): OperationSubscription {
  if (!o.durations && typeof adapter.countOperations === 'function') {
    const counter = adapter.countOperations();
    if (typeof counter.capacity === 'number' && counter.capacity > o.maxOperations) {
      const reader = operationCounterReader(counter, onCounts);
      return { pull: reader.pull, unsubscribe: reader.close };
    }
    counter.close();
  }
  const unsubscribe =
    typeof adapter.observeOperations === 'function'
      ? adapter.observeOperations(onOperation, { durations: o.durations })
      : adapter.on('operation', (e) =>
          onOperation(e.operation, e.result, e.reason, e.durationMs ?? NaN),
        );
  return { pull: () => undefined, unsubscribe };
}
