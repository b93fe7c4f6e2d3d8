/** Options of the instrument functions, their defaults, and their validation. */
import type { Registry, RegistryContentType } from 'prom-client';

/** Options of {@link instrumentBreaker}. */
export interface InstrumentBreakerOptions {
  /**
   * Registry the metrics are registered into. Required: this package never falls back to
   * prom-client's global registry (pass `register` from prom-client to use it).
   * Prometheus and OpenMetrics registries both work.
   */
  registry: Registry<RegistryContentType>;
  /**
   * Prepended verbatim to every metric name, e.g. `'myapp_'` gives
   * `myapp_circuit_breaker_state`. Must match `[a-zA-Z_][a-zA-Z0-9_]*` (or be empty).
   * @default '' (no prefix)
   */
  prefix?: string;
  /**
   * Upper bounds, in seconds, of the `circuit_breaker_call_duration_seconds` buckets: finite,
   * positive and strictly increasing. Only the first instrumentation of a registry (per prefix)
   * creates the histogram; later ones must pass the same buckets.
   * @default [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
   */
  buckets?: readonly number[];
}

/** Options of {@link instrumentRedisAdapter}. */
export interface InstrumentRedisAdapterOptions extends InstrumentBreakerOptions {
  /**
   * Most distinct operation names labelled per adapter; later new names are counted under
   * `operation="other"` (logged once through `debug('breakwater:metrics')`). Integer ≥ 1.
   * @default 100
   */
  maxOperations?: number;
}

/** Options of {@link instrumentBreakerRegistry}. */
export interface InstrumentBreakerRegistryOptions extends InstrumentBreakerOptions {
  /**
   * Most live breakers of the registry that get their own breaker metrics (`name` label = the
   * breaker's name). Breakers past the cap are counted only in `breaker_registry_breakers`
   * (logged once through `debug('breakwater:metrics')`); an evicted breaker's series are removed
   * and its place goes to the next new breaker. Integer ≥ 1.
   * @default 100
   */
  maxKeys?: number;
}

/** Defaults of every optional field. */
export const DEFAULT_METRICS_OPTIONS = Object.freeze({
  prefix: '',
  buckets: Object.freeze([
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
  ]) as readonly number[],
  maxOperations: 100,
  maxKeys: 100,
});

/** Options after validation and defaults. */
export interface ResolvedMetricsOptions {
  readonly registry: Registry<RegistryContentType>;
  readonly prefix: string;
  readonly buckets: readonly number[];
  readonly maxOperations: number;
  readonly maxKeys: number;
}

const BREAKER_KEYS = new Set(['registry', 'prefix', 'buckets']);
const ADAPTER_KEYS = new Set([...BREAKER_KEYS, 'maxOperations']);
const REGISTRY_KEYS = new Set([...BREAKER_KEYS, 'maxKeys']);
const PREFIX_RE = /^(?:[a-zA-Z_][a-zA-Z0-9_]*)?$/;

/** A short, secret-free description of an option value for error messages. */
export const describe = (v: unknown): string => {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(describe).join(', ')}]`;
  if (typeof v === 'object' && v !== null) return 'an object';
  return String(v);
};

const isRegistry = (v: unknown): v is Registry<RegistryContentType> =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as Registry).getSingleMetric === 'function' &&
  typeof (v as Registry).registerMetric === 'function' &&
  typeof (v as Registry).metrics === 'function';

/**
 * Validates `options` (never mutated) and fills in defaults. Throws a TypeError or RangeError
 * naming the option and the value.
 */
export function resolveMetricsOptions(
  options:
    InstrumentBreakerOptions | InstrumentRedisAdapterOptions | InstrumentBreakerRegistryOptions,
  kind: 'breaker' | 'redis-adapter' | 'breaker-registry',
): ResolvedMetricsOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`options must be an object with a registry, got ${describe(options)}`);
  }
  const allowed =
    kind === 'breaker' ? BREAKER_KEYS : kind === 'redis-adapter' ? ADAPTER_KEYS : REGISTRY_KEYS;
  for (const key of Object.keys(options)) {
    if (!allowed.has(key)) throw new TypeError(`unknown option ${JSON.stringify(key)}`);
  }
  const { registry } = options;
  if (!isRegistry(registry)) {
    throw new TypeError(`registry must be a prom-client Registry, got ${describe(registry)}`);
  }
  const prefix = options.prefix ?? DEFAULT_METRICS_OPTIONS.prefix;
  if (typeof prefix !== 'string' || !PREFIX_RE.test(prefix)) {
    throw new TypeError(`prefix must match [a-zA-Z_][a-zA-Z0-9_]*, got ${describe(prefix)}`);
  }
  const buckets = resolveBuckets(options.buckets);
  const maxOperations = resolveMaxOperations(
    (options as InstrumentRedisAdapterOptions).maxOperations,
  );
  const maxKeys = resolveMaxKeys((options as InstrumentBreakerRegistryOptions).maxKeys);
  return Object.freeze({
    registry,
    prefix,
    buckets,
    maxOperations,
    maxKeys,
  });
}

/** Validates the `buckets` option (seconds, positive, strictly increasing); frozen copy. */
export function resolveBuckets(value: unknown): readonly number[] {
  const buckets = value ?? DEFAULT_METRICS_OPTIONS.buckets;
  if (!Array.isArray(buckets) || buckets.length === 0) {
    throw new TypeError(`buckets must be a non-empty array of seconds, got ${describe(buckets)}`);
  }
  buckets.forEach((b: unknown, i) => {
    if (typeof b !== 'number' || !Number.isFinite(b) || b <= 0) {
      throw new RangeError(`buckets[${i}] must be a finite number > 0, got ${describe(b)}`);
    }
    if (i > 0 && b <= (buckets[i - 1] as number)) {
      throw new RangeError(`buckets must be strictly increasing, got ${describe(buckets)}`);
    }
  });
  return Object.freeze([...(buckets as number[])]);
}

/** Validates the `maxOperations` option (integer ≥ 1). */
export function resolveMaxOperations(value: unknown): number {
  const maxOperations = value ?? DEFAULT_METRICS_OPTIONS.maxOperations;
  if (
    typeof maxOperations !== 'number' ||
    !Number.isSafeInteger(maxOperations) ||
    maxOperations < 1
  ) {
    throw new RangeError(`maxOperations must be an integer ≥ 1, got ${describe(maxOperations)}`);
  }
  return maxOperations;
}

/** Validates the `maxKeys` option (integer ≥ 1). */
export function resolveMaxKeys(value: unknown): number {
  const maxKeys = value ?? DEFAULT_METRICS_OPTIONS.maxKeys;
  if (typeof maxKeys !== 'number' || !Number.isSafeInteger(maxKeys) || maxKeys < 1) {
    throw new RangeError(`maxKeys must be an integer ≥ 1, got ${describe(maxKeys)}`);
  }
  return maxKeys;
}
