/** instrumentRedisAdapter(): Prometheus metrics for a breakwater Redis adapter and its breaker. */
import createDebug from 'debug';
import { acquireInstrumentation } from './instrumentation-cache.js';
import { instrumentResolvedBreaker } from './instrument-breaker.js';
import { getOrCreateCollectedGauge, getOrCreateCounter } from './metric-store.js';
import { OperationTally, type OperationCounts } from './operation-tally.js';
import { subscribeOperations } from './operation-counter-reader.js';
import { PendingCounter, type PendingCount } from './pending-counter.js';
import {
  CONNECTION_STATES,
  FALLBACK_REASONS,
  OPERATION_RESULTS,
  REDIS_METRICS as M,
} from './metric-names.js';
import {
  resolveMetricsOptions,
  type InstrumentRedisAdapterOptions,
  type ResolvedMetricsOptions,
} from './options.js';
import type { DisposeInstrumentation, InstrumentableRedisAdapter, Unsubscribe } from './types.js';

const debug = createDebug('breakwater:metrics');

function checkAdapter(adapter: unknown): string {
  if (typeof adapter !== 'object' || adapter === null) {
    throw new TypeError(`adapter must be a Redis adapter, got ${String(adapter)}`);
  }
  const a = adapter as Partial<InstrumentableRedisAdapter>;
  if (typeof a.on !== 'function') throw new TypeError('adapter must have an on() method');
  if (typeof a.name !== 'string' || a.name === '') {
    throw new TypeError(`adapter.name must be a non-empty string, got ${String(a.name)}`);
  }
  if (typeof a.breaker !== 'object' || a.breaker === null) {
    throw new TypeError('adapter.breaker must be a circuit breaker');
  }
  return a.name;
}

/**
 * Registers the Redis metrics (see README) for `adapter` into `options.registry`, and
 * instruments `adapter.breaker` with the same registry, prefix and buckets. Connection state is
 * read from memory at scrape time. Returns an idempotent dispose that removes the listeners and
 * the series of this adapter and of its breaker.
 *
 * Operation names become label values: at most `maxOperations` distinct names per adapter, later
 * ones are counted as `operation="other"` (logged once). Same sharing and error rules as
 * {@link instrumentBreaker}.
 */
export function instrumentRedisAdapter(
  adapter: InstrumentableRedisAdapter,
  options: InstrumentRedisAdapterOptions,
): DisposeInstrumentation {
  const client = checkAdapter(adapter);
  const resolved = resolveMetricsOptions(options, 'redis-adapter');
  const breaker = adapter.breaker;
  if (typeof breaker.on !== 'function' || typeof breaker.name !== 'string' || breaker.name === '') {
    throw new TypeError('adapter.breaker must have on() and a non-empty name');
  }
  return acquireInstrumentation(
    'redis-adapter',
    adapter,
    client,
    resolved.registry,
    resolved.prefix,
    () => setUpAdapter(adapter, client, resolved),
  );
}

function setUpAdapter(
  adapter: InstrumentableRedisAdapter,
  client: string,
  o: ResolvedMetricsOptions,
): () => void {
  const { registry, prefix, maxOperations } = o;
  const operations = getOrCreateCounter(registry, prefix, M.operations);
  const fallbacks = getOrCreateCounter(registry, prefix, M.fallbacks);
  const reconnects = getOrCreateCounter(registry, prefix, M.reconnects);
  const up = getOrCreateCollectedGauge(registry, prefix, M.up, 'min');
  const state = getOrCreateCollectedGauge(registry, prefix, M.connectionState, 'sum');
  // Throws (and leaves nothing behind) if the breaker's name is taken by another breaker.
  const disposeBreaker = instrumentResolvedBreaker(adapter.breaker, adapter.breaker.name, o);

  // An adapter's own counts are read first when the operation counters are collected (below),
  // then the pending counts are flushed: these collectors go in before the flushes.
  let pullCounts: () => void = () => undefined;
  const pull = (): void => pullCounts();
  operations.collectors.add(pull);
  fallbacks.collectors.add(pull);
  // Counter increments are plain numbers on the hot path, added at collection time.
  const operationCounts = new PendingCounter(operations);
  const fallbackCounts = new PendingCounter(fallbacks);
  const reconnectCounts = new PendingCounter(reconnects);
  const reconnectCount = reconnectCounts.add({ client });

  // Outcomes are counted in plain integers per operation name (no event object, no label
  // hashing per call) and added to the prom-client counters when they are collected.
  interface OperationSeries {
    readonly results: Record<string, PendingCount>;
    readonly reasons: Record<string, PendingCount>;
  }
  const series = new Map<string, OperationSeries>();
  const tally = new OperationTally(client, maxOperations, ({ operation }) => {
    const results: Record<string, PendingCount> = {};
    for (const result of OPERATION_RESULTS) {
      results[result] = operationCounts.add({ client, operation, result });
    }
    const reasons: Record<string, PendingCount> = {};
    for (const reason of FALLBACK_REASONS) {
      reasons[reason] = fallbackCounts.add({ client, operation, reason });
    }
    series.set(operation, { results, reasons });
  });
  let lastCounts: OperationCounts | undefined;
  let lastSeries: OperationSeries | undefined;
  const countOperation = (
    operation: string,
    result: string,
    reason: string | undefined,
    n: number,
  ): void => {
    const counts = tally.count(operation, result, reason, n);
    if (counts === null) return;
    // Most calls repeat the previous operation name: no map lookup then.
    if (counts !== lastCounts) {
      lastCounts = counts;
      lastSeries = series.get(counts.operation)!;
    }
    const s = lastSeries!;
    s.results[result]!.n += n;
    if (result === 'fallback') (s.reasons[reason ?? 'unknown'] ?? s.reasons.unknown!).n += n;
  };
  const observeOperation = (operation: string, result: string, reason: string | undefined): void =>
    countOperation(operation, result, reason, 1);
  const readState = (): string | undefined => {
    try {
      const s = adapter.connectionState;
      return CONNECTION_STATES.includes(s) ? s : undefined;
    } catch {
      return undefined;
    }
  };
  const collectUp = (): void => {
    const s = readState();
    if (s === undefined) up.metric.remove({ client });
    else up.metric.set({ client }, s === 'ready' ? 1 : 0);
  };
  const collectState = (): void => {
    const current = readState();
    for (const s of CONNECTION_STATES) {
      if (current === undefined) state.metric.remove({ client, state: s });
      else state.metric.set({ client, state: s }, s === current ? 1 : 0);
    }
  };
  up.collectors.add(collectUp);
  state.collectors.add(collectState);

  const subscriptions: Unsubscribe[] = [
    () => {
      operations.collectors.delete(pull);
      fallbacks.collectors.delete(pull);
    },
    adapter.on('reconnecting', () => {
      reconnectCount.n += 1;
    }),
  ];
  // Last, once nothing else can throw: a breakwater adapter counts its outcomes itself (plain
  // integers, no callback per call), read when the operation counters are collected, before
  // their pending counts are flushed.
  const outcomes = subscribeOperations(
    adapter,
    { maxOperations, durations: false },
    countOperation,
    observeOperation,
  );
  pullCounts = outcomes.pull;
  subscriptions.push(outcomes.unsubscribe);
  debug('instrumented redis adapter %s', client);

  return () => {
    for (const unsubscribe of subscriptions) unsubscribe();
    up.collectors.delete(collectUp);
    state.collectors.delete(collectState);
    up.metric.remove({ client });
    for (const s of CONNECTION_STATES) state.metric.remove({ client, state: s });
    for (const counts of [operationCounts, fallbackCounts, reconnectCounts]) counts.dispose();
    disposeBreaker();
    debug('disposed redis adapter %s', client);
  };
}
