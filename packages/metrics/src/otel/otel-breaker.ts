/** instrumentBreaker() over OpenTelemetry: breaker state, calls, fallbacks, transitions, durations. */
import { subscribeCalls } from '../subscribe-calls.js';
import type { Attributes, BatchObservableCallback } from '@opentelemetry/api';
import createDebug from 'debug';
import { BREAKER_STATES } from '../metric-names.js';
import type {
  BreakerState,
  DisposeInstrumentation,
  InstrumentableBreaker,
  Unsubscribe,
} from '../types.js';
import {
  OTEL_ATTRIBUTES as A,
  OTEL_BREAKER_INSTRUMENTS as I,
  attributesPer,
} from './otel-names.js';
import {
  resolveOtelOptions,
  type OtelInstrumentBreakerOptions,
  type ResolvedOtelOptions,
} from './otel-options.js';

const debug = createDebug('breakwater:metrics');

/** Outcomes counted on `breakwater.breaker.calls`. */
export const OTEL_CALL_OUTCOMES = ['success', 'failure', 'timeout', 'rejected', 'ignored'] as const;
type Outcome = (typeof OTEL_CALL_OUTCOMES)[number];

/** Checks the breaker's shape (TypeError naming what is wrong) and returns its name. */
export function checkOtelBreaker(breaker: unknown, what: string): string {
  if (typeof breaker !== 'object' || breaker === null) {
    throw new TypeError(`${what} must be a circuit breaker, got ${String(breaker)}`);
  }
  const b = breaker as Partial<InstrumentableBreaker>;
  if (typeof b.on !== 'function' || typeof b.getStats !== 'function') {
    throw new TypeError(`${what} must have on() and getStats() methods`);
  }
  if (typeof b.name !== 'string' || b.name === '') {
    throw new TypeError(`${what}.name must be a non-empty string, got ${String(b.name)}`);
  }
  return b.name;
}

/**
 * Creates the breaker instruments (see README) on the meter of `options.meterProvider` (the
 * global provider by default) for `breaker`. Calls, fallbacks and transitions are counted in
 * plain integers and reported by observable counters at collection; state and failure ratio are
 * read from memory at collection; call durations go to a histogram. Returns an idempotent
 * dispose that removes the listeners and the callbacks.
 */
export function instrumentBreaker(
  breaker: InstrumentableBreaker,
  options?: OtelInstrumentBreakerOptions,
): DisposeInstrumentation {
  const name = checkOtelBreaker(breaker, 'breaker');
  return instrumentResolvedOtelBreaker(breaker, name, resolveOtelOptions(options, 'breaker'));
}

/** @internal Also used by the OTel instrumentRedisAdapter with resolved options. */
export function instrumentResolvedOtelBreaker(
  breaker: InstrumentableBreaker,
  name: string,
  o: ResolvedOtelOptions,
  /**
   * Whether to record `breakwater.breaker.call.duration`. False for an adapter's own breaker:
   * its calls are the operations `db.client.operation.duration` already records, and a
   * histogram record is the one per-call cost an OpenTelemetry SDK cannot defer.
   */
  durations = true,
): DisposeInstrumentation {
  const meter = o.meter;
  const state = meter.createObservableGauge(I.state.name, I.state);
  const ratio = meter.createObservableGauge(I.failureRatio.name, I.failureRatio);
  const calls = meter.createObservableCounter(I.calls.name, I.calls);
  const fallbacks = meter.createObservableCounter(I.fallbacks.name, I.fallbacks);
  const transitions = meter.createObservableCounter(I.transitions.name, I.transitions);
  const duration =
    durations && o.durations
      ? meter.createHistogram(I.callDuration.name, {
          ...I.callDuration,
          advice: { explicitBucketBoundaries: [...o.buckets] },
        })
      : undefined;

  // Attribute objects are built once; the hot path only increments numbers.
  const byName: Attributes = { [A.breakerName]: name };
  const counts: Record<Outcome, number> = {
    success: 0,
    failure: 0,
    timeout: 0,
    rejected: 0,
    ignored: 0,
  };
  const callAttrs = attributesPer(OTEL_CALL_OUTCOMES, (outcome) => ({
    ...byName,
    [A.callOutcome]: outcome,
  }));
  let fallbackCount = 0;
  const transitionCounts = new Map<string, { n: number; attrs: Attributes }>();
  const countTransition = (from: BreakerState, to: BreakerState): void => {
    const key = `${from}>${to}`;
    let t = transitionCounts.get(key);
    if (t === undefined) {
      t = { n: 0, attrs: { ...byName, [A.stateFrom]: from, [A.stateTo]: to } };
      transitionCounts.set(key, t);
    }
    t.n++;
  };
  const stateAttrs = BREAKER_STATES.map((s) => ({ s, attrs: { ...byName, [A.breakerState]: s } }));
  const record = (outcome: Outcome, durationMs: number): void => {
    if (duration === undefined) return;
    if (typeof durationMs === 'number' && durationMs >= 0 && Number.isFinite(durationMs)) {
      duration.record(durationMs / 1000, callAttrs[outcome]);
    }
  };

  const observe: BatchObservableCallback = (result) => {
    for (const outcome of OTEL_CALL_OUTCOMES) {
      result.observe(calls, counts[outcome], callAttrs[outcome]);
    }
    result.observe(fallbacks, fallbackCount, byName);
    for (const t of transitionCounts.values()) result.observe(transitions, t.n, t.attrs);
    let current: BreakerState | undefined;
    try {
      current = breaker.state;
    } catch (error) {
      debug('%s: reading state failed, state omitted: %O', name, error);
    }
    if (current !== undefined && BREAKER_STATES.includes(current)) {
      for (const { s, attrs } of stateAttrs) result.observe(state, s === current ? 1 : 0, attrs);
    }
    try {
      const value = breaker.getStats().failureRate;
      if (typeof value === 'number' && Number.isFinite(value)) result.observe(ratio, value, byName);
    } catch (error) {
      debug('%s: getStats() failed, failure ratio omitted: %O', name, error);
    }
  };
  const observables = [state, ratio, calls, fallbacks, transitions];
  meter.addBatchObservableCallback(observe, observables);

  const subscriptions: Unsubscribe[] = [
    ...subscribeCalls(breaker, (outcome, durationMs) => {
      counts[outcome]++;
      record(outcome, durationMs);
    }),
    breaker.on('rejected', () => {
      counts.rejected++;
    }),
    breaker.on('fallback', () => {
      fallbackCount++;
    }),
    breaker.on('stateChange', (e) => {
      if (e.from !== e.to && BREAKER_STATES.includes(e.from) && BREAKER_STATES.includes(e.to)) {
        countTransition(e.from, e.to);
      }
    }),
  ];
  try {
    // 'ignored' is not part of InstrumentableBreakerEvents: a breaker without it keeps 0.
    const on = breaker.on as unknown as (event: string, listener: () => void) => Unsubscribe;
    subscriptions.push(on.call(breaker, 'ignored', () => void counts.ignored++));
  } catch {
    debug('%s: no ignored event; ignored calls are not counted', name);
  }
  debug('instrumented breaker %s (OpenTelemetry)', name);

  let disposed = false;
  return () => {
    if (disposed) return;
    disposed = true;
    for (const unsubscribe of subscriptions) unsubscribe();
    meter.removeBatchObservableCallback(observe, observables);
    debug('disposed breaker %s (OpenTelemetry)', name);
  };
}
