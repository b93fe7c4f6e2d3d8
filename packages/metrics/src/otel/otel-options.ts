/** Options of the OpenTelemetry instrument functions, their defaults, and their validation. */
import { metrics, type Meter, type MeterProvider } from '@opentelemetry/api';
import { describe, resolveBuckets, resolveMaxKeys, resolveMaxOperations } from '../options.js';

/** Options of the OpenTelemetry {@link instrumentBreaker}. */
export interface OtelInstrumentBreakerOptions {
  /**
   * Where the instruments are created (meter `@breakwater/metrics`).
   * @default the global provider, `metrics.getMeterProvider()` from `@opentelemetry/api`
   */
  meterProvider?: MeterProvider;
  /**
   * Bucket boundaries advised for the duration histograms, in seconds: finite, positive,
   * strictly increasing. An SDK View overrides them.
   * @default [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
   */
  buckets?: readonly number[];
  /**
   * Whether to record the duration histograms (`db.client.operation.duration`,
   * `breakwater.breaker.call.duration`). A histogram is the one instrument an OpenTelemetry SDK
   * records per call (`record()` hashes the attributes every time: about 1.5–2.5 µs per call
   * with sdk-metrics 2.12 here, see BENCHMARKS.md); `false` keeps only the counts and states,
   * which are read from memory at collection.
   * @default true
   */
  durations?: boolean;
}

/** Options of the OpenTelemetry {@link instrumentRedisAdapter}. */
export interface OtelInstrumentRedisAdapterOptions extends OtelInstrumentBreakerOptions {
  /**
   * Most distinct `db.operation.name` values per adapter; later new names are recorded as
   * `other` (logged once through `debug('breakwater:metrics')`). Integer ≥ 1.
   * @default 100
   */
  maxOperations?: number;
}

/** Options of the OpenTelemetry {@link instrumentBreakerRegistry}. */
export interface OtelInstrumentBreakerRegistryOptions extends OtelInstrumentBreakerOptions {
  /**
   * Most live breakers of the registry that get their own breaker instruments (attribute
   * `breakwater.breaker.name` = the breaker's name). Breakers past the cap are counted only in
   * `breakwater.breaker_registry.breakers` (logged once through `debug('breakwater:metrics')`);
   * an evicted breaker stops being reported and its place goes to the next new breaker.
   * Integer ≥ 1.
   * @default 100
   */
  maxKeys?: number;
}

/** Options after validation and defaults. */
export interface ResolvedOtelOptions {
  readonly meter: Meter;
  readonly buckets: readonly number[];
  readonly maxOperations: number;
  readonly maxKeys: number;
  readonly durations: boolean;
}

/** Name of the meter every instrument is created on. */
export const OTEL_METER_NAME = '@breakwater/metrics';

const BREAKER_KEYS = new Set(['meterProvider', 'buckets', 'durations']);
const ADAPTER_KEYS = new Set([...BREAKER_KEYS, 'maxOperations']);
const REGISTRY_KEYS = new Set([...BREAKER_KEYS, 'maxKeys']);

/** Validates `options` (never mutated); throws TypeError/RangeError naming the option and value. */
export function resolveOtelOptions(
  options: (OtelInstrumentRedisAdapterOptions & OtelInstrumentBreakerRegistryOptions) | undefined,
  kind: 'breaker' | 'redis-adapter' | 'breaker-registry',
): ResolvedOtelOptions {
  const o = options ?? {};
  if (typeof o !== 'object' || o === null) {
    throw new TypeError(`options must be an object, got ${describe(o)}`);
  }
  const allowed =
    kind === 'breaker' ? BREAKER_KEYS : kind === 'redis-adapter' ? ADAPTER_KEYS : REGISTRY_KEYS;
  for (const key of Object.keys(o)) {
    if (!allowed.has(key)) throw new TypeError(`unknown option ${JSON.stringify(key)}`);
  }
  const provider = o.meterProvider ?? metrics.getMeterProvider();
  if (
    typeof provider !== 'object' ||
    provider === null ||
    typeof provider.getMeter !== 'function'
  ) {
    throw new TypeError(
      `meterProvider must be an OpenTelemetry MeterProvider, got ${describe(provider)}`,
    );
  }
  const durations = o.durations ?? true;
  if (typeof durations !== 'boolean') {
    throw new TypeError(`durations must be a boolean, got ${describe(durations)}`);
  }
  return Object.freeze({
    durations,
    meter: provider.getMeter(OTEL_METER_NAME),
    buckets: resolveBuckets(o.buckets),
    maxOperations: resolveMaxOperations(o.maxOperations),
    maxKeys: resolveMaxKeys(o.maxKeys),
  });
}
