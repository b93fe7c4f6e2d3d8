/** instrumentBreaker(): Prometheus metrics for any breaker with the breakwater event contract. */
import createDebug from 'debug';
import type { Histogram, Registry, RegistryContentType } from 'prom-client';
import { acquireInstrumentation } from './instrumentation-cache.js';
import {
  getOrCreateCollectedGauge,
  getOrCreateCounter,
  getOrCreateHistogram,
} from './metric-store.js';
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
import type { DisposeInstrumentation, InstrumentableBreaker, Unsubscribe } from './types.js';

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
  const successes = getOrCreateCounter(registry, prefix, M.successes);
  const failures = getOrCreateCounter(registry, prefix, M.failures);
  const timeouts = getOrCreateCounter(registry, prefix, M.timeouts);
  const rejected = getOrCreateCounter(registry, prefix, M.rejected);
  const fallbacks = getOrCreateCounter(registry, prefix, M.fallbacks);
  const transitions = getOrCreateCounter(registry, prefix, M.transitions);
  const duration: Histogram<string> = getOrCreateHistogram(
    registry,
    prefix,
    M.callDuration,
    buckets,
  );

  // Every series exists from the start, at 0.
  for (const c of [successes, failures, timeouts, fallbacks]) c.inc({ name }, 0);
  for (const reason of REJECTION_REASONS) rejected.inc({ name, reason }, 0);
  for (const [from, to] of BREAKER_TRANSITIONS) transitions.inc({ name, from, to }, 0);
  for (const outcome of CALL_OUTCOMES) duration.zero({ name, outcome });

  // Collectors read memory only. One that fails removes its series (rather than leaving a
  // stale value) and says so once through debug until it works again.
  let stateBroken = false;
  const collectState = (): void => {
    try {
      const index = BREAKER_STATES.indexOf(breaker.state);
      if (index < 0) throw new TypeError(`unknown breaker state ${String(breaker.state)}`);
      state.gauge.set({ name }, index);
      stateBroken = false;
    } catch (error) {
      state.gauge.remove({ name });
      if (!stateBroken) debug('%s: reading state failed, state omitted: %O', name, error);
      stateBroken = true;
    }
  };
  const collectInState = (): void => {
    let current: string | undefined;
    try {
      current = BREAKER_STATES.find((s) => s === breaker.state);
    } catch {
      current = undefined; // logged by collectState
    }
    for (const s of BREAKER_STATES) {
      if (current === undefined) inState.gauge.remove({ name, state: s });
      else inState.gauge.set({ name, state: s }, s === current ? 1 : 0);
    }
  };
  let ratioBroken = false;
  const collectRatio = (): void => {
    try {
      const value = breaker.getStats().failureRate;
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new TypeError(`failureRate is ${String(value)}`);
      }
      ratio.gauge.set({ name }, value);
      ratioBroken = false;
    } catch (error) {
      ratio.gauge.remove({ name });
      if (!ratioBroken) debug('%s: getStats() failed, failure ratio omitted: %O', name, error);
      ratioBroken = true;
    }
  };
  state.collectors.add(collectState);
  inState.collectors.add(collectInState);
  ratio.collectors.add(collectRatio);

  // Label objects are built once: the hot path allocates nothing of its own.
  const byName = { name };
  const byOutcome = {
    success: { name, outcome: 'success' },
    failure: { name, outcome: 'failure' },
    timeout: { name, outcome: 'timeout' },
  } satisfies Record<CallOutcome, object>;
  const observe = (outcome: CallOutcome, durationMs: number): void => {
    if (typeof durationMs === 'number' && durationMs >= 0 && Number.isFinite(durationMs)) {
      duration.observe(byOutcome[outcome], durationMs / 1000);
    }
  };
  const subscriptions: Unsubscribe[] = [
    breaker.on('success', (e) => {
      successes.inc(byName);
      observe('success', e.durationMs);
    }),
    breaker.on('failure', (e) => {
      failures.inc(byName);
      observe('failure', e.durationMs);
    }),
    breaker.on('timeout', (e) => {
      failures.inc(byName);
      timeouts.inc(byName);
      observe('timeout', e.durationMs);
    }),
    breaker.on('rejected', (e) => {
      if (REJECTION_REASONS.includes(e.reason)) rejected.inc({ name, reason: e.reason });
    }),
    breaker.on('fallback', () => fallbacks.inc(byName)),
    breaker.on('stateChange', (e) => {
      if (e.from !== e.to && BREAKER_STATES.includes(e.from) && BREAKER_STATES.includes(e.to)) {
        transitions.inc({ name, from: e.from, to: e.to });
      }
    }),
  ];
  debug('instrumented breaker %s', name);

  return () => {
    for (const unsubscribe of subscriptions) unsubscribe();
    state.collectors.delete(collectState);
    inState.collectors.delete(collectInState);
    ratio.collectors.delete(collectRatio);
    state.gauge.remove({ name });
    ratio.gauge.remove({ name });
    for (const s of BREAKER_STATES) inState.gauge.remove({ name, state: s });
    for (const c of [successes, failures, timeouts, fallbacks]) c.remove({ name });
    for (const reason of REJECTION_REASONS) rejected.remove({ name, reason });
    // Also any pair outside the pre-created set that was counted.
    for (const from of BREAKER_STATES) {
      for (const to of BREAKER_STATES) if (from !== to) transitions.remove({ name, from, to });
    }
    for (const outcome of CALL_OUTCOMES) duration.remove({ name, outcome });
    debug('disposed breaker %s', name);
  };
}
