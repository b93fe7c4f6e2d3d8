/** instrumentRedisAdapter() over OpenTelemetry: operations, their durations, the connection. */
import type { Attributes, BatchObservableCallback } from '@opentelemetry/api';
import createDebug from 'debug';
import { CONNECTION_STATES, FALLBACK_REASONS } from '../metric-names.js';
import { subscribeOperations } from '../operation-counter-reader.js';
import { OperationTally, type OperationCounts } from '../operation-tally.js';
import type {
  DisposeInstrumentation,
  InstrumentableRedisAdapter,
  RedisFallbackReason,
  RedisOperationResultName,
  Unsubscribe,
} from '../types.js';
import { checkOtelBreaker, instrumentResolvedOtelBreaker } from './otel-breaker.js';
import { OTEL_ATTRIBUTES as A, OTEL_REDIS_INSTRUMENTS as I, attributesPer } from './otel-names.js';
import { resolveOtelOptions, type OtelInstrumentRedisAdapterOptions } from './otel-options.js';

const debug = createDebug('breakwater:metrics');

/** `error.type` of a call rejected with a data error (WRONGTYPE, syntax…). */
export const OTEL_DATA_ERROR_TYPE = 'data';

/** The attribute sets of one operation name, built once. */
interface OperationAttributes {
  readonly success: Attributes;
  readonly error: Attributes;
  readonly fallback: Record<RedisFallbackReason, Attributes>;
}

function checkAdapter(adapter: unknown): string {
  if (typeof adapter !== 'object' || adapter === null) {
    throw new TypeError(`adapter must be a Redis adapter, got ${String(adapter)}`);
  }
  const a = adapter as Partial<InstrumentableRedisAdapter>;
  if (typeof a.on !== 'function') throw new TypeError('adapter must have an on() method');
  if (typeof a.name !== 'string' || a.name === '') {
    throw new TypeError(`adapter.name must be a non-empty string, got ${String(a.name)}`);
  }
  checkOtelBreaker(a.breaker, 'adapter.breaker');
  return a.name;
}

/**
 * Creates the Redis instruments (see README) for `adapter` on the meter of
 * `options.meterProvider` (the global provider by default), and instruments `adapter.breaker`
 * the same way. Operation counts and the connection state are read from memory at collection;
 * each call records one `db.client.operation.duration` value. Returns an idempotent dispose.
 */
export function instrumentRedisAdapter(
  adapter: InstrumentableRedisAdapter,
  options?: OtelInstrumentRedisAdapterOptions,
): DisposeInstrumentation {
  const client = checkAdapter(adapter);
  const o = resolveOtelOptions(options, 'redis-adapter');
  const meter = o.meter;
  const duration = o.durations
    ? meter.createHistogram(I.operationDuration.name, {
        ...I.operationDuration,
        advice: { explicitBucketBoundaries: [...o.buckets] },
      })
    : undefined;
  const operations = meter.createObservableCounter(I.operations.name, I.operations);
  const connectionCount = meter.createObservableUpDownCounter(
    I.connectionCount.name,
    I.connectionCount,
  );
  const connectionState = meter.createObservableGauge(I.connectionState.name, I.connectionState);
  const reconnects = meter.createObservableCounter(I.reconnects.name, I.reconnects);

  const base: Attributes = { [A.dbSystem]: 'redis', [A.redisClient]: client };
  const attributes = new Map<string, OperationAttributes>();
  const tally = new OperationTally(client, o.maxOperations, (counts: OperationCounts) => {
    const op = { ...base, [A.dbOperation]: counts.operation };
    const result = (r: RedisOperationResultName): Attributes => ({ ...op, [A.redisResult]: r });
    attributes.set(counts.operation, {
      success: result('success'),
      error: { ...result('error'), [A.errorType]: OTEL_DATA_ERROR_TYPE },
      fallback: attributesPer(FALLBACK_REASONS, (reason) => ({
        ...result('fallback'),
        [A.errorType]: reason,
      })),
    });
  });
  let pullCounts: () => void = () => undefined;
  const observeOperation = (
    operation: string,
    result: string,
    reason: string | undefined,
    durationMs: number,
  ): void => {
    const counts = tally.count(operation, result, reason);
    if (counts === null) return;
    const attrs = attributes.get(counts.operation)!;
    const set =
      result === 'fallback'
        ? (attrs.fallback[reason as RedisFallbackReason] ?? attrs.fallback.unknown)
        : result === 'success'
          ? attrs.success
          : attrs.error;
    if (duration !== undefined && durationMs >= 0 && Number.isFinite(durationMs)) {
      duration.record(durationMs / 1000, set);
    }
  };
  let reconnectCount = 0;
  const pool: Attributes = {
    [A.dbSystem]: 'redis',
    [A.poolName]: client,
    [A.connectionState]: 'used',
  };
  const stateAttrs = CONNECTION_STATES.map((s) => ({
    s,
    attrs: { ...base, [A.redisConnectionState]: s },
  }));

  const observe: BatchObservableCallback = (result) => {
    pullCounts();
    for (const counts of tally.operations.values()) {
      const attrs = attributes.get(counts.operation)!;
      result.observe(operations, counts.results.success, attrs.success);
      result.observe(operations, counts.results.error, attrs.error);
      for (const reason of FALLBACK_REASONS) {
        result.observe(operations, counts.reasons[reason], attrs.fallback[reason]);
      }
    }
    result.observe(reconnects, reconnectCount, base);
    let current: string | undefined;
    try {
      current = adapter.connectionState;
    } catch (error) {
      debug('%s: reading the connection state failed, omitted: %O', client, error);
    }
    if (current !== undefined && (CONNECTION_STATES as readonly string[]).includes(current)) {
      result.observe(connectionCount, current === 'ready' ? 1 : 0, pool);
      for (const { s, attrs } of stateAttrs) {
        result.observe(connectionState, s === current ? 1 : 0, attrs);
      }
    }
  };
  const observables = [operations, connectionCount, connectionState, reconnects];
  meter.addBatchObservableCallback(observe, observables);

  const disposeBreaker = instrumentResolvedOtelBreaker(
    adapter.breaker,
    adapter.breaker.name,
    o,
    false,
  );
  const subscriptions: Unsubscribe[] = [
    adapter.on('reconnecting', () => {
      reconnectCount++;
    }),
  ];
  // Last, once nothing else can throw. Without durations, a breakwater adapter's own counts are
  // read at collection time (no callback per call); with them, every call is observed (a
  // histogram needs each value).
  const outcomes = subscribeOperations(
    adapter,
    o,
    (operation, result, reason, n) => void tally.count(operation, result, reason, n),
    observeOperation,
  );
  pullCounts = outcomes.pull;
  subscriptions.push(outcomes.unsubscribe);
  debug('instrumented redis adapter %s (OpenTelemetry)', client);

  let disposed = false;
  return () => {
    if (disposed) return;
    disposed = true;
    for (const unsubscribe of subscriptions) unsubscribe();
    meter.removeBatchObservableCallback(observe, observables);
    disposeBreaker();
    debug('disposed redis adapter %s (OpenTelemetry)', client);
  };
}
