/**
 * instrumentBulkhead() and instrumentRetryBudget() over OpenTelemetry. Everything is observed at
 * collection (gauges read from memory, rejections counted in plain integers), so neither the
 * bulkhead's nor the budget's hot path pays for an SDK.
 */
import type { Attributes, BatchObservableCallback } from '@opentelemetry/api';
import createDebug from 'debug';
import { checkNamed } from '../instrument-bulkhead.js';
import { BULKHEAD_REJECTION_REASONS } from '../metric-names.js';
import type {
  DisposeInstrumentation,
  InstrumentableBulkhead,
  InstrumentableRetryBudget,
} from '../types.js';
import {
  OTEL_BULKHEAD_INSTRUMENTS as B,
  OTEL_RESILIENCE_ATTRIBUTES as A,
  OTEL_RETRY_BUDGET_INSTRUMENTS as R,
} from './otel-names.js';
import { resolveOtelOptions, type OtelInstrumentBreakerOptions } from './otel-options.js';

const debug = createDebug('breakwater:metrics');

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Creates the bulkhead instruments (see README) on the meter of `options.meterProvider` (the
 * global provider by default). Returns an idempotent dispose that removes the listener and the
 * callback.
 */
export function instrumentBulkhead(
  bulkhead: InstrumentableBulkhead,
  options?: OtelInstrumentBreakerOptions,
): DisposeInstrumentation {
  const name = checkNamed(bulkhead, 'bulkhead', ['on']);
  const { meter } = resolveOtelOptions(options, 'breaker');
  const inFlight = meter.createObservableGauge(B.inFlight.name, B.inFlight);
  const queued = meter.createObservableGauge(B.queued.name, B.queued);
  const capacity = meter.createObservableGauge(B.maxConcurrent.name, B.maxConcurrent);
  const rejected = meter.createObservableCounter(B.rejected.name, B.rejected);
  const byName: Attributes = { [A.bulkheadName]: name };
  const counts = new Map(
    BULKHEAD_REJECTION_REASONS.map((reason) => [
      reason as string,
      { n: 0, attrs: { ...byName, [A.bulkheadRejectionReason]: reason } as Attributes },
    ]),
  );
  const observe: BatchObservableCallback = (result) => {
    if (finite(bulkhead.running)) result.observe(inFlight, bulkhead.running, byName);
    if (finite(bulkhead.queued)) result.observe(queued, bulkhead.queued, byName);
    if (finite(bulkhead.maxConcurrent)) result.observe(capacity, bulkhead.maxConcurrent, byName);
    for (const c of counts.values()) result.observe(rejected, c.n, c.attrs);
  };
  const observables = [inFlight, queued, capacity, rejected];
  meter.addBatchObservableCallback(observe, observables);
  const unsubscribe = bulkhead.on('rejected', (e) => {
    const c = counts.get(e.reason);
    if (c !== undefined) c.n++;
  });
  debug('instrumented bulkhead %s (OpenTelemetry)', name);
  let disposed = false;
  return () => {
    if (disposed) return;
    disposed = true;
    unsubscribe();
    meter.removeBatchObservableCallback(observe, observables);
  };
}

/**
 * Creates the retry budget instruments (see README), all read from `budget.getStats()` at
 * collection. Returns an idempotent dispose that removes the callback.
 */
export function instrumentRetryBudget(
  budget: InstrumentableRetryBudget,
  options?: OtelInstrumentBreakerOptions,
): DisposeInstrumentation {
  const name = checkNamed(budget, 'budget', ['getStats']);
  const { meter } = resolveOtelOptions(options, 'breaker');
  const requests = meter.createObservableCounter(R.requests.name, R.requests);
  const retries = meter.createObservableCounter(R.retries.name, R.retries);
  const available = meter.createObservableGauge(R.available.name, R.available);
  const byName: Attributes = { [A.retryBudgetName]: name };
  const allowed: Attributes = { ...byName, [A.retryResult]: 'allowed' };
  const refused: Attributes = { ...byName, [A.retryResult]: 'refused' };
  const observe: BatchObservableCallback = (result) => {
    let s: ReturnType<InstrumentableRetryBudget['getStats']>;
    try {
      s = budget.getStats();
    } catch (error) {
      debug('%s: getStats() failed, retry budget omitted: %O', name, error);
      return;
    }
    if (finite(s.requests)) result.observe(requests, s.requests, byName);
    if (finite(s.retriesAllowed)) result.observe(retries, s.retriesAllowed, allowed);
    if (finite(s.retriesRefused)) result.observe(retries, s.retriesRefused, refused);
    if (finite(s.available)) result.observe(available, s.available, byName);
  };
  const observables = [requests, retries, available];
  meter.addBatchObservableCallback(observe, observables);
  debug('instrumented retry budget %s (OpenTelemetry)', name);
  let disposed = false;
  return () => {
    if (disposed) return;
    disposed = true;
    meter.removeBatchObservableCallback(observe, observables);
  };
}
