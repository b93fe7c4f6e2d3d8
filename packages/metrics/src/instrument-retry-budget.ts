/** instrumentRetryBudget(): Prometheus metrics for a retry budget, read at scrape time. */
import createDebug from 'debug';
import { checkNamed } from './instrument-bulkhead.js';
import { acquireInstrumentation } from './instrumentation-cache.js';
import { getOrCreateCollectedGauge, getOrCreateCounter } from './metric-store.js';
import { RETRY_BUDGET_METRICS as M } from './metric-names.js';
import { resolveMetricsOptions, type InstrumentBreakerOptions } from './options.js';
import type { DisposeInstrumentation, InstrumentableRetryBudget } from './types.js';

const debug = createDebug('breakwater:metrics');

/**
 * Registers the retry budget metrics (see README) into `options.registry`: requests, retries
 * allowed and refused (counters), and the retries available now (gauge). Everything is read
 * from `budget.getStats()` at scrape time, so the budget's hot path pays nothing. Returns an
 * idempotent dispose that removes this budget's series. Same sharing and error rules as
 * {@link instrumentBreaker}.
 */
export function instrumentRetryBudget(
  budget: InstrumentableRetryBudget,
  options: InstrumentBreakerOptions,
): DisposeInstrumentation {
  const name = checkNamed(budget, 'budget', ['getStats']);
  const { registry, prefix } = resolveMetricsOptions(options, 'breaker');
  return acquireInstrumentation('retry-budget', budget, name, registry, prefix, () => {
    const requests = getOrCreateCounter(registry, prefix, M.requests);
    const retries = getOrCreateCounter(registry, prefix, M.retries);
    const available = getOrCreateCollectedGauge(registry, prefix, M.available, 'sum');
    const byName = { name };
    const allowed = { name, result: 'allowed' };
    const refused = { name, result: 'refused' };
    requests.metric.inc(byName, 0);
    retries.metric.inc(allowed, 0);
    retries.metric.inc(refused, 0);
    // The budget keeps totals; each scrape adds what they grew by since the last one.
    const seen = { requests: 0, allowed: 0, refused: 0 };
    const grow = (key: keyof typeof seen, total: unknown): number => {
      if (typeof total !== 'number' || !(total >= seen[key])) return 0;
      const delta = total - seen[key];
      seen[key] = total;
      return delta;
    };
    const collectRequests = (): void => {
      const n = grow('requests', budget.getStats().requests);
      if (n > 0) requests.metric.inc(byName, n);
    };
    const collectRetries = (): void => {
      const s = budget.getStats();
      const a = grow('allowed', s.retriesAllowed);
      const r = grow('refused', s.retriesRefused);
      if (a > 0) retries.metric.inc(allowed, a);
      if (r > 0) retries.metric.inc(refused, r);
    };
    const collectAvailable = (): void => {
      const v = budget.getStats().available;
      if (typeof v === 'number' && Number.isFinite(v)) available.metric.set(byName, v);
    };
    requests.collectors.add(collectRequests);
    retries.collectors.add(collectRetries);
    available.collectors.add(collectAvailable);
    debug('instrumented retry budget %s', name);
    return () => {
      requests.collectors.delete(collectRequests);
      retries.collectors.delete(collectRetries);
      available.collectors.delete(collectAvailable);
      requests.metric.remove(byName);
      retries.metric.remove(allowed);
      retries.metric.remove(refused);
      available.metric.remove(byName);
      debug('disposed retry budget %s', name);
    };
  });
}
