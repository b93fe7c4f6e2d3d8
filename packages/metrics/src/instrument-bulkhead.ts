/** instrumentBulkhead(): Prometheus metrics for a bulkhead (in flight, queued, rejected). */
import createDebug from 'debug';
import { acquireInstrumentation } from './instrumentation-cache.js';
import { getOrCreateCollectedGauge, getOrCreateCounter } from './metric-store.js';
import { PendingCounter, type PendingCount } from './pending-counter.js';
import { BULKHEAD_METRICS as M, BULKHEAD_REJECTION_REASONS } from './metric-names.js';
import { resolveMetricsOptions, type InstrumentBreakerOptions } from './options.js';
import type { DisposeInstrumentation, InstrumentableBulkhead } from './types.js';

const debug = createDebug('breakwater:metrics');

/** Checks the shape of an instrumented object (TypeError naming what is wrong); returns its name. */
export function checkNamed(target: unknown, what: string, methods: readonly string[]): string {
  if (typeof target !== 'object' || target === null) {
    throw new TypeError(`${what} must be an object, got ${String(target)}`);
  }
  const t = target as Record<string, unknown>;
  for (const m of methods) {
    if (typeof t[m] !== 'function') throw new TypeError(`${what}.${m} must be a function`);
  }
  if (typeof t.name !== 'string' || t.name === '') {
    throw new TypeError(`${what}.name must be a non-empty string, got ${String(t.name)}`);
  }
  return t.name;
}

/**
 * Registers the bulkhead metrics (see README) into `options.registry`: in-flight, queued and
 * capacity gauges read at scrape time, and rejections by reason counted from the `rejected`
 * event. Returns an idempotent dispose that removes the listener and this bulkhead's series.
 * Same sharing and error rules as {@link instrumentBreaker}.
 */
export function instrumentBulkhead(
  bulkhead: InstrumentableBulkhead,
  options: InstrumentBreakerOptions,
): DisposeInstrumentation {
  const name = checkNamed(bulkhead, 'bulkhead', ['on']);
  const { registry, prefix } = resolveMetricsOptions(options, 'breaker');
  return acquireInstrumentation('bulkhead', bulkhead, name, registry, prefix, () => {
    const inFlight = getOrCreateCollectedGauge(registry, prefix, M.inFlight, 'sum');
    const queued = getOrCreateCollectedGauge(registry, prefix, M.queued, 'sum');
    const capacity = getOrCreateCollectedGauge(registry, prefix, M.maxConcurrent, 'sum');
    const rejected = new PendingCounter(getOrCreateCounter(registry, prefix, M.rejected));
    const byName = { name };
    // Read from memory at scrape time: nothing on the bulkhead's hot path.
    const collect = (): void => inFlight.metric.set(byName, bulkhead.running);
    const collectQueued = (): void => queued.metric.set(byName, bulkhead.queued);
    const collectCapacity = (): void => capacity.metric.set(byName, bulkhead.maxConcurrent);
    inFlight.collectors.add(collect);
    queued.collectors.add(collectQueued);
    capacity.collectors.add(collectCapacity);
    const byReason = new Map<string, PendingCount>(
      BULKHEAD_REJECTION_REASONS.map((reason) => [reason, rejected.add({ name, reason })]),
    );
    const unsubscribe = bulkhead.on('rejected', (e) => {
      const series = byReason.get(e.reason);
      if (series !== undefined) series.n += 1;
    });
    debug('instrumented bulkhead %s', name);
    return () => {
      unsubscribe();
      inFlight.collectors.delete(collect);
      queued.collectors.delete(collectQueued);
      capacity.collectors.delete(collectCapacity);
      inFlight.metric.remove(byName);
      queued.metric.remove(byName);
      capacity.metric.remove(byName);
      rejected.dispose();
      debug('disposed bulkhead %s', name);
    };
  });
}
