/** instrumentBreaker(): Prometheus metrics for any breaker with the breakwater event contract. */
import createDebug from 'debug';
import type { Registry, RegistryContentType } from 'prom-client';
import { collectBreakerGauges } from './breaker-gauges.js';
import { acquireInstrumentation } from './instrumentation-cache.js';
import {
  getOrCreateCollectedGauge,
  getOrCreateCounter,
  getOrCreateHistogram,
} from './metric-store.js';
import { subscribeCalls } from './subscribe-calls.js';
import { PendingCounter, type PendingCount } from './pending-counter.js';
import {
  BREAKER_METRICS as M,
  BREAKER_STATES,
  BREAKER_TRANSITIONS,
  CALL_OUTCOMES,
  REJECTION_REASONS,
  type CallOutcome,
} from './metric-names.js';
import { resolveMetricsOptions, type InstrumentBreakerOptions } from './options.js';
import type { ResolvedMetricsOptions } from './options.js';
import type {
  BreakerState,
  DisposeInstrumentation,
  InstrumentableBreaker,
  Unsubscribe,
} from './types.js';

const debug = createDebug('breakwater:metrics');

/** Checks the breaker's shape (TypeError naming what is wrong) and returns its name. */
function checkBreaker(breaker: unknown, what: string): string {
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
 * Registers the breaker metrics (see README) into `options.registry` and keeps them up to date
 * from the breaker's events; state and failure ratio are read from memory at scrape time.
 * Returns an idempotent dispose that removes the listeners and this breaker's series.
 *
 * Instrumenting the same breaker into the same registry and prefix again does not double count:
 * it shares the first instrumentation and returns another dispose; the series are removed once
 * every dispose has been called. Throws `DuplicateInstrumentNameError` if a different breaker
 * with the same name is instrumented there, `MetricConflictError` if the registry holds an
 * incompatible metric of the same name, TypeError/RangeError for bad options.
 */
export function instrumentBreaker(
  breaker: InstrumentableBreaker,
  options: InstrumentBreakerOptions,
): DisposeInstrumentation {
  const name = checkBreaker(breaker, 'breaker');
  const resolved = resolveMetricsOptions(options, 'breaker');
  return instrumentResolvedBreaker(breaker, name, resolved);
}

/** @internal Also used by instrumentRedisAdapter with already-resolved options. */
export function instrumentResolvedBreaker(
  breaker: InstrumentableBreaker,
  name: string,
  o: ResolvedMetricsOptions,
): DisposeInstrumentation {
  return acquireInstrumentation('breaker', breaker, name, o.registry, o.prefix, () =>
    setUpBreaker(breaker, name, o.registry, o.prefix, o.buckets),
  );
}

function setUpBreaker(
  breaker: InstrumentableBreaker,
  name: string,
  registry: Registry<RegistryContentType>,
  prefix: string,
  buckets: readonly number[],
): () => void {
  // Create (or find) every metric first: a MetricConflictError leaves nothing behind.
  const state = getOrCreateCollectedGauge(registry, prefix, M.state, 'max');
  const inState = getOrCreateCollectedGauge(registry, prefix, M.inState, 'sum');
  const ratio = getOrCreateCollectedGauge(registry, prefix, M.failureRatio, 'max');
  const counters = {
    successes: getOrCreateCounter(registry, prefix, M.successes),
    failures: getOrCreateCounter(registry, prefix, M.failures),
    timeouts: getOrCreateCounter(registry, prefix, M.timeouts),
    fallbacks: getOrCreateCounter(registry, prefix, M.fallbacks),
    rejected: getOrCreateCounter(registry, prefix, M.rejected),
    transitions: getOrCreateCounter(registry, prefix, M.transitions),
  };
  const duration = getOrCreateHistogram(registry, prefix, M.callDuration, buckets);

  // Every series exists from the start, at 0. Counter increments are plain numbers on the hot
  // path, added to prom-client when it collects (see PendingCounter).
  const successes = new PendingCounter(counters.successes);
  const failures = new PendingCounter(counters.failures);
  const timeouts = new PendingCounter(counters.timeouts);
  const fallbacks = new PendingCounter(counters.fallbacks);
  const rejected = new PendingCounter(counters.rejected);
  const transitions = new PendingCounter(counters.transitions);
  const pending = [successes, failures, timeouts, fallbacks, rejected, transitions];
  const byName = { name };
  const count = {
    successes: successes.add(byName),
    failures: failures.add(byName),
    timeouts: timeouts.add(byName),
    fallbacks: fallbacks.add(byName),
  };
  const rejectedBy = new Map<string, PendingCount>(
    REJECTION_REASONS.map((reason) => [reason, rejected.add({ name, reason })]),
  );
  const transitionsBy = new Map<string, PendingCount>();
  const transition = (from: BreakerState, to: BreakerState): PendingCount => {
    const key = `${from}>${to}`;
    let series = transitionsBy.get(key);
    if (series === undefined) {
      series = transitions.add({ name, from, to });
      transitionsBy.set(key, series);
    }
    return series;
  };
  for (const [from, to] of BREAKER_TRANSITIONS) transition(from, to);
  const durations = {
    success: duration.seriesOf({ name, outcome: 'success' }),
    failure: duration.seriesOf({ name, outcome: 'failure' }),
    timeout: duration.seriesOf({ name, outcome: 'timeout' }),
  } satisfies Record<CallOutcome, object>;

  const gauges = collectBreakerGauges(breaker, name, state, inState, ratio);

  // Each series is an array of bucket counts: an observation is a few comparisons and three
  // increments, exported when the registry collects (see BatchedHistogram; it drops a duration
  // that is not a finite number >= 0). Named properties only: this runs on every call.
  const onCall = (outcome: CallOutcome, durationMs: number): void => {
    const seconds = durationMs / 1000;
    if (outcome === 'success') {
      count.successes.n += 1;
      durations.success.observe(seconds);
      return;
    }
    count.failures.n += 1;
    if (outcome === 'timeout') {
      count.timeouts.n += 1;
      durations.timeout.observe(seconds);
    } else {
      durations.failure.observe(seconds);
    }
  };
  const subscriptions: Unsubscribe[] = [
    ...subscribeCalls(breaker, onCall),
    breaker.on('rejected', (e) => {
      const series = rejectedBy.get(e.reason);
      if (series !== undefined) series.n += 1;
    }),
    breaker.on('fallback', () => {
      count.fallbacks.n += 1;
    }),
    breaker.on('stateChange', (e) => {
      if (e.from !== e.to && BREAKER_STATES.includes(e.from) && BREAKER_STATES.includes(e.to)) {
        transition(e.from, e.to).n += 1;
      }
    }),
  ];
  debug('instrumented breaker %s', name);

  return () => {
    for (const unsubscribe of subscriptions) unsubscribe();
    gauges.dispose();
    for (const p of pending) p.dispose();
    for (const outcome of CALL_OUTCOMES) duration.remove({ name, outcome });
    debug('disposed breaker %s', name);
  };
}
