/**
 * Idempotent get-or-create of metrics per (registry, name). A metric that already exists in the
 * registry is reused when its type, label names (and buckets) match, so instrumenting several
 * breakers or adapters into one registry never throws "already registered". Counters and gauges
 * carry a set of collectors (run by their `collect()` at every scrape) under a `Symbol.for` key,
 * so a metric created by another copy of this package is shared too.
 */
import createDebug from 'debug';
import { Counter, Gauge } from 'prom-client';
import { BATCHED_HISTOGRAM, BatchedHistogram } from './batched-histogram.js';
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

/**
 * Returns the histogram `prefix + spec.name` of `registry`, creating it if needed: a
 * {@link BatchedHistogram} (observations are array increments, exported at collection). An
 * existing histogram of that name that this package did not create is a conflict.
 */
export function getOrCreateHistogram(
  registry: AnyRegistry,
  prefix: string,
  spec: MetricSpec,
  buckets: readonly number[],
): BatchedHistogram {
  const name = prefix + spec.name;
  const existing = reuse(registry, name, spec) as unknown as BatchedHistogram | undefined;
  if (existing !== undefined) {
    if (existing[BATCHED_HISTOGRAM] !== true) {
      throw new MetricConflictError(name, 'a histogram that @breakwater/metrics did not create');
    }
    const bounds = existing.upperBounds;
    if (bounds.join(',') !== buckets.join(',')) {
      throw new MetricConflictError(name, `buckets [${bounds}] instead of [${buckets}]`);
    }
    remember(registry, name, existing as unknown as Metric);
    return existing;
  }
  const metric = new BatchedHistogram(name, spec.help, spec.labelNames, buckets, registry);
  remember(registry, name, metric as unknown as Metric);
  return metric;
}

/** A metric whose `collect()` runs a set of collectors at every scrape. */
export interface Collected<M> {
  readonly metric: M;
  /** Run at every scrape, before the metric is read; each one must only touch memory. */
  readonly collectors: Set<Collector>;
}

/**
 * Returns the collect-time metric `prefix + spec.name` of `registry`, creating it with `create`
 * if needed. At every scrape, its `collect()` runs each collector; one that throws is logged and
 * skipped, so a scrape never fails because of this package. An existing metric of that name
 * that this package (any copy of it) did not create is a {@link MetricConflictError}.
 */
function getOrCreateCollected<M extends Metric>(
  registry: AnyRegistry,
  prefix: string,
  spec: MetricSpec,
  create: (name: string, collect: () => void) => M,
): Collected<M> {
  const name = prefix + spec.name;
  const existing = reuse(registry, name, spec) as (M & WithCollectors) | undefined;
  if (existing !== undefined) {
    const collectors = existing[COLLECTORS];
    if (!(collectors instanceof Set)) {
      throw new MetricConflictError(name, `a ${spec.type} that @breakwater/metrics did not create`);
    }
    remember(registry, name, existing);
    return { metric: existing, collectors };
  }
  const collectors = new Set<Collector>();
  const metric = create(name, () => {
    for (const collector of collectors) {
      try {
        collector();
      } catch (error) {
        debug('collector of %s threw, skipped: %O', name, error);
      }
    }
  });
  Object.defineProperty(metric, COLLECTORS, { value: collectors, enumerable: false });
  remember(registry, name, metric);
  return { metric, collectors };
}

/**
 * Returns the counter `prefix + spec.name` of `registry`, creating it if needed. Its collectors
 * flush increments kept in memory (see {@link PendingCounter}) at every scrape.
 */
export function getOrCreateCounter(
  registry: AnyRegistry,
  prefix: string,
  spec: MetricSpec,
): Collected<Counter<string>> {
  return getOrCreateCollected(
    registry,
    prefix,
    spec,
    (name, collect) =>
      new Counter({
        name,
        help: spec.help,
        labelNames: spec.labelNames,
        registers: [registry],
        collect,
      }),
  );
}

/** Returns the collect-time gauge `prefix + spec.name` of `registry`, creating it if needed. */
export function getOrCreateCollectedGauge(
  registry: AnyRegistry,
  prefix: string,
  spec: MetricSpec,
  aggregator: Aggregator,
): Collected<Gauge<string>> {
  return getOrCreateCollected(
    registry,
    prefix,
    spec,
    (name, collect) =>
      new Gauge({
        name,
        help: spec.help,
        labelNames: spec.labelNames,
        aggregator,
        registers: [registry],
        collect,
      }),
  );
}
