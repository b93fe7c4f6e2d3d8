/**
 * Every error class of @breakwater/metrics. Each one has a `name`, supports `cause`, carries a
 * brand (a `Symbol.for` key, so guards work across duplicate copies of the package) and has an
 * `isXxxError(e: unknown)` type guard. Option errors are plain `TypeError`/`RangeError`.
 */

const METRIC_CONFLICT_BRAND = Symbol.for('breakwater.MetricConflictError');
const DUPLICATE_NAME_BRAND = Symbol.for('breakwater.DuplicateInstrumentNameError');

// Non-enumerable, so it does not show up in logs or JSON.
const brand = (target: object, key: symbol): void => {
  Object.defineProperty(target, key, { value: true, enumerable: false });
};

const hasBrand = (e: unknown, key: symbol): boolean =>
  typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[key] === true;

/**
 * The registry already holds a metric with this name whose type, label names or buckets differ
 * from what this package needs (for example the application registered its own
 * `circuit_breaker_state`). Use a `prefix` or rename the other metric.
 */
export class MetricConflictError extends Error {
  override readonly name = 'MetricConflictError';
  /** Full name of the conflicting metric (prefix included). */
  readonly metricName: string;

  constructor(metricName: string, detail: string, options?: { cause?: unknown }) {
    super(
      `metric ${metricName} is already registered with ${detail}; ` +
        'pass a different `prefix` or rename the other metric',
      options,
    );
    this.metricName = metricName;
    brand(this, METRIC_CONFLICT_BRAND);
  }
}

/** True if `e` is a {@link MetricConflictError} (from any copy of this package). */
export const isMetricConflictError = (e: unknown): e is MetricConflictError =>
  hasBrand(e, METRIC_CONFLICT_BRAND);

/** What an instrument function instruments. */
export type InstrumentKind =
  'breaker' | 'redis-adapter' | 'bulkhead' | 'retry-budget' | 'breaker-registry';

/**
 * Another breaker (Redis adapter, bulkhead, retry budget, breaker registry) with the same name is already instrumented into this
 * registry with this prefix: its series would collide. Give each one a unique name.
 */
export class DuplicateInstrumentNameError extends Error {
  override readonly name = 'DuplicateInstrumentNameError';
  /** What was instrumented twice under one name. */
  readonly kind: InstrumentKind;
  /** The duplicated name. */
  readonly instrumentName: string;

  constructor(kind: InstrumentKind, instrumentName: string) {
    super(
      `another ${kind} named ${JSON.stringify(instrumentName)} is already instrumented in this ` +
        'registry; give each one a unique name (or dispose the first instrumentation)',
    );
    this.kind = kind;
    this.instrumentName = instrumentName;
    brand(this, DUPLICATE_NAME_BRAND);
  }
}

/** True if `e` is a {@link DuplicateInstrumentNameError} (from any copy of this package). */
export const isDuplicateInstrumentNameError = (e: unknown): e is DuplicateInstrumentNameError =>
  hasBrand(e, DUPLICATE_NAME_BRAND);
