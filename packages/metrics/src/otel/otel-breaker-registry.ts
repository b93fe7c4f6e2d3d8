/**
 * instrumentBreakerRegistry() over OpenTelemetry: registry-wide instruments (live breakers by
 * state, remembered snapshots, evictions by reason), all observed at collection, and the breaker
 * instruments for each of the first `maxKeys` live breakers, attributed by the breaker's name.
 * A breaker past the cap is counted only by state; an evicted breaker stops being reported.
 */
import type { Attributes, BatchObservableCallback } from '@opentelemetry/api';
import createDebug from 'debug';
import { instrumentCappedBreakers } from '../capped-breakers.js';
import { checkNamed } from '../instrument-bulkhead.js';
import { BREAKER_STATES, EVICTION_REASONS } from '../metric-names.js';
import type {
  BreakerState,
  DisposeInstrumentation,
  InstrumentableBreakerRegistry,
} from '../types.js';
import { instrumentResolvedOtelBreaker } from './otel-breaker.js';
import {
  OTEL_ATTRIBUTES,
  OTEL_BREAKER_REGISTRY_INSTRUMENTS as I,
  OTEL_RESILIENCE_ATTRIBUTES as R,
} from './otel-names.js';
import { resolveOtelOptions, type OtelInstrumentBreakerRegistryOptions } from './otel-options.js';

const debug = createDebug('breakwater:metrics');

/**
 * Creates the breaker registry instruments (see README) on the meter of
 * `options.meterProvider` (the global provider by default) and instruments the registry's
 * breakers (existing ones now, new ones as they are created), at most `maxKeys` at a time.
 * Returns an idempotent dispose that removes the listeners and every callback it added.
 */
export function instrumentBreakerRegistry(
  breakers: InstrumentableBreakerRegistry,
  options?: OtelInstrumentBreakerRegistryOptions,
): DisposeInstrumentation {
  const name = checkNamed(breakers, 'breaker registry', ['on', 'entries', 'getStats']);
  const o = resolveOtelOptions(options, 'breaker-registry');
  const { meter, maxKeys } = o;
  const byState = meter.createObservableGauge(I.breakers.name, I.breakers);
  const remembered = meter.createObservableGauge(I.remembered.name, I.remembered);
  const evictions = meter.createObservableCounter(I.evictions.name, I.evictions);

  const byName: Attributes = { [R.registryName]: name };
  const stateAttrs = new Map<BreakerState, Attributes>(
    BREAKER_STATES.map((s) => [s, { ...byName, [OTEL_ATTRIBUTES.breakerState]: s }]),
  );
  const evicted = new Map<string, { n: number; attrs: Attributes }>(
    EVICTION_REASONS.map((reason) => [
      reason,
      { n: 0, attrs: { ...byName, [R.evictionReason]: reason } },
    ]),
  );
  const observe: BatchObservableCallback = (result) => {
    try {
      const counts = new Map<BreakerState, number>(BREAKER_STATES.map((s) => [s, 0]));
      for (const [, b] of breakers.entries()) {
        const s = b.state;
        if (counts.has(s)) counts.set(s, counts.get(s)! + 1);
      }
      for (const [s, attrs] of stateAttrs) result.observe(byState, counts.get(s)!, attrs);
      const n = breakers.getStats().remembered;
      if (typeof n === 'number' && Number.isFinite(n)) result.observe(remembered, n, byName);
    } catch (error) {
      debug('%s: reading the registry failed, its gauges omitted: %O', name, error);
    }
    for (const e of evicted.values()) result.observe(evictions, e.n, e.attrs);
  };
  const observables = [byState, remembered, evictions];
  meter.addBatchObservableCallback(observe, observables);

  // Breaker instruments for at most maxKeys live breakers.
  const stopBreakers = instrumentCappedBreakers(
    breakers,
    name,
    maxKeys,
    (breaker) => instrumentResolvedOtelBreaker(breaker, breaker.name, o),
    (reason) => {
      const counted = evicted.get(reason);
      if (counted !== undefined) counted.n += 1;
    },
  );
  debug('instrumented breaker registry %s (OpenTelemetry)', name);

  let disposed = false;
  return () => {
    if (disposed) return;
    disposed = true;
    stopBreakers();
    meter.removeBatchObservableCallback(observe, observables);
    debug('disposed breaker registry %s (OpenTelemetry)', name);
  };
}
