/**
 * Idempotent get-or-create of metrics per (registry, name). A metric that already exists in the
 * registry is reused when its type, label names (and buckets) match, so instrumenting several
 * breakers or adapters into one registry never throws "already registered". Collect-time gauges
 * carry a set of collectors under a `Symbol.for` key, so a gauge created by another copy of this
 * package is shared too.
 */
import createDebug from 'debug';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Aggregator, Metric, Registry, RegistryContentType } from 'prom-client';
import { MetricConflictError } from './errors.js';
import type { MetricSpec } from './metric-names.js';

const debug = createDebug('breakwater:metrics');

/** Sets a collect-time gauge's series from memory. Must not do I/O. */
export type Collector = () => void;

const COLLECTORS = Symbol.for('breakwater.metrics.collectors');

type AnyRegistry = Registry<RegistryContentType>;
type WithCollectors = { [COLLECTORS]?: Set<Collector> };

const cache = new WeakMap<AnyRegistry, Map<string, Metric>>();

const sameLabels = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && [...a].sort().join('\0') === [...b].sort().join('\0');

function reuse(registry: AnyRegistry, fullName: string, spec: MetricSpec): Metric | undefined {
  const existing = registry.getSingleMetric(fullName);
  if (existing === undefined) return undefined;
  const perRegistry = cache.get(registry);
  if (perRegistry?.get(fullName) === existing) return existing;
  const { type, labelNames } = existing as unknown as { type?: string; labelNames?: string[] };
  if (type !== spec.type) {
    throw new MetricConflictError(fullName, `type ${String(type)} instead of ${spec.type}`);
  }
  if (!Array.isArray(labelNames) || !sameLabels(labelNames, spec.labelNames)) {
    throw new MetricConflictError(
      fullName,
      `labels [${String(labelNames)}] instead of [${spec.labelNames.join(',')}]`,
    );
  }
  return existing;
}

function remember(registry: AnyRegistry, fullName: string, metric: Metric): void {
  let perRegistry = cache.get(registry);
  if (perRegistry === undefined) {
    perRegistry = new Map();
    cache.set(registry, perRegistry);
  }
  perRegistry.set(fullName, metric);
}

/** Returns the counter `prefix + spec.name` of `registry`, creating it if needed. */
export function getOrCreateCounter(
  registry: AnyRegistry,
  prefix: string,
  spec: MetricSpec,
): Counter<string> {
  const name = prefix + spec.name;
  const metric =
    (reuse(registry, name, spec) as Counter<string> | undefined) ??
    new Counter({ name, help: spec.help, labelNames: spec.labelNames, registers: [registry] });
  remember(registry, name, metric);
  return metric;
}

/** Returns the histogram `prefix + spec.name` of `registry`, creating it if needed. */
export function getOrCreateHistogram(
  registry: AnyRegistry,
  prefix: string,
  spec: MetricSpec,
  buckets: readonly number[],
): Histogram<string> {
  const name = prefix + spec.name;
  const existing = reuse(registry, name, spec) as Histogram<string> | undefined;
  if (existing !== undefined) {
    const bounds = (existing as unknown as { upperBounds?: number[] }).upperBounds ?? [];
    if (bounds.join(',') !== buckets.join(',')) {
      throw new MetricConflictError(name, `buckets [${bounds}] instead of [${buckets}]`);
    }
    remember(registry, name, existing);
    return existing;
  }
  const metric = new Histogram({
    name,
    help: spec.help,
    labelNames: spec.labelNames,
    buckets: [...buckets],
    registers: [registry],
  });
  remember(registry, name, metric);
  return metric;
}

/** A collect-time gauge and the set its collectors are added to. */
export interface CollectedGauge {
  readonly gauge: Gauge<string>;
  readonly collectors: Set<Collector>;
}

/**
 * Returns the collect-time gauge `prefix + spec.name` of `registry`, creating it if needed. At
 * every scrape, its `collect()` runs each collector; one that throws is logged and skipped, so
 * a scrape never fails because of this package.
 */
export function getOrCreateCollectedGauge(
  registry: AnyRegistry,
  prefix: string,
  spec: MetricSpec,
  aggregator: Aggregator,
): CollectedGauge {
  const name = prefix + spec.name;
  const existing = reuse(registry, name, spec) as (Gauge<string> & WithCollectors) | undefined;
  if (existing !== undefined) {
    const collectors = existing[COLLECTORS];
    if (!(collectors instanceof Set)) {
      throw new MetricConflictError(name, 'a gauge that @breakwater/metrics did not create');
    }
    remember(registry, name, existing);
    return { gauge: existing, collectors };
  }
  const collectors = new Set<Collector>();
  const gauge = new Gauge({
    name,
    help: spec.help,
    labelNames: spec.labelNames,
    aggregator,
    registers: [registry],
    collect(this: Gauge<string> & WithCollectors): void {
      for (const collector of this[COLLECTORS] ?? []) {
        try {
          collector();
        } catch (error) {
          debug('collector of %s threw, series skipped: %O', name, error);
        }
      }
    },
  }) as Gauge<string> & WithCollectors;
  Object.defineProperty(gauge, COLLECTORS, { value: collectors, enumerable: false });
  remember(registry, name, gauge);
  return { gauge, collectors };
}
