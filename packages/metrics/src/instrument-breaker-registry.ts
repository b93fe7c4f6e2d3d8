/**
 * instrumentBreakerRegistry(): metrics for keyed breakers. Registry-wide gauges (live breakers
 * by state, remembered snapshots) and evictions by reason; each of the first `maxKeys` live
 * breakers also gets the full breaker metrics, labelled by its name. A breaker past the cap is
 * counted only in the registry-wide gauges; an evicted breaker's series go away with it.
 */
import createDebug from 'debug';
import { instrumentCappedBreakers } from './capped-breakers.js';
import { checkNamed } from './instrument-bulkhead.js';
import { instrumentResolvedBreaker } from './instrument-breaker.js';
import { acquireInstrumentation } from './instrumentation-cache.js';
import { getOrCreateCollectedGauge, getOrCreateCounter } from './metric-store.js';
import { PendingCounter, type PendingCount } from './pending-counter.js';
import { BREAKER_REGISTRY_METRICS as M, BREAKER_STATES, EVICTION_REASONS } from './metric-names.js';
import { resolveMetricsOptions, type InstrumentBreakerRegistryOptions } from './options.js';
import type {
  BreakerState,
  DisposeInstrumentation,
  InstrumentableBreakerRegistry,
} from './types.js';

const debug = createDebug('breakwater:metrics');

/**
 * Registers the breaker registry metrics (see README) into `options.registry` and instruments
 * its breakers (existing ones now, new ones as they are created), at most `maxKeys` at a time.
 * Returns an idempotent dispose that removes the listeners and every series it created.
 */
export function instrumentBreakerRegistry(
  breakers: InstrumentableBreakerRegistry,
  options: InstrumentBreakerRegistryOptions,
): DisposeInstrumentation {
  const name = checkNamed(breakers, 'breaker registry', ['on', 'entries', 'getStats']);
  const o = resolveMetricsOptions(options, 'breaker-registry');
  const { registry, prefix, maxKeys } = o;
  return acquireInstrumentation('breaker-registry', breakers, name, registry, prefix, () => {
    const byState = getOrCreateCollectedGauge(registry, prefix, M.breakers, 'sum');
    const remembered = getOrCreateCollectedGauge(registry, prefix, M.remembered, 'sum');
    const evictions = new PendingCounter(getOrCreateCounter(registry, prefix, M.evictions));
    const evictedBy = new Map<string, PendingCount>(
      EVICTION_REASONS.map((reason) => [reason, evictions.add({ name, reason })]),
    );
    const stateLabels = BREAKER_STATES.map((state) => ({ name, state }));
    const collectStates = (): void => {
      const counts = new Map<BreakerState, number>(BREAKER_STATES.map((s) => [s, 0]));
      for (const [, b] of breakers.entries()) {
        const s = b.state;
        counts.set(s, (counts.get(s) ?? 0) + 1);
      }
      for (const labels of stateLabels) byState.metric.set(labels, counts.get(labels.state)!);
    };
    const collectRemembered = (): void => {
      const n = breakers.getStats().remembered;
      if (typeof n === 'number' && Number.isFinite(n)) remembered.metric.set({ name }, n);
    };
    byState.collectors.add(collectStates);
    remembered.collectors.add(collectRemembered);

    // Per-breaker metrics for at most maxKeys live breakers.
    const stopBreakers = instrumentCappedBreakers(
      breakers,
      name,
      maxKeys,
      (breaker) => instrumentResolvedBreaker(breaker, breaker.name, o),
      (reason) => {
        const series = evictedBy.get(reason);
        if (series !== undefined) series.n += 1;
      },
    );
    debug('instrumented breaker registry %s', name);
    return () => {
      stopBreakers();
      byState.collectors.delete(collectStates);
      remembered.collectors.delete(collectRemembered);
      for (const labels of stateLabels) byState.metric.remove(labels);
      remembered.metric.remove({ name });
      evictions.dispose();
      debug('disposed breaker registry %s', name);
    };
  });
}
