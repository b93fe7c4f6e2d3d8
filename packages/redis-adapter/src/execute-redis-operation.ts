/**
 * The heart of the adapter: one call = deadline + readiness grace + breaker + classification +
 * fallback + reporting. It knows nothing about node-redis: it works on the small
 * {@link OperationConnection} interface (a test runs it around an ioredis client).
 */
import type { CircuitBreaker, Clock } from '@breakwater/breaker';
import { classifyRedisError } from './classify-error.js';
import { hasListeners, RedisCall } from './redis-call.js';
import type { OperationCountTable } from './operation-counts.js';
import { operationChannel, type RedisOperationTraceContext } from './diagnostics.js';
import type {
  RedisAdapterEvents,
  RedisConnectionState,
  RedisFallback,
  RedisFallbackReason,
  RedisOperationObserver,
  RedisOperationOptions,
} from './types.js';

/** What executeRedisOperation needs from a connection. Implementable for any client. */
export interface OperationConnection<C> {
  /** The client handed to operations. */
  readonly client: C;
  /** Identifies the current physical connection (changes on every reconnect). */
  readonly epoch: number;
  readonly state: RedisConnectionState;
  /** True when a command can be sent now. */
  isReady(): boolean;
  /**
   * Clock time (ms, the context's clock) since which the connection has not been ready. Calls
   * then wait only for what is left of the reconnect grace since that moment: once it has run
   * out, they take the fallback at once. `undefined` when unknown: every call waits the whole
   * grace (bounded by its deadline).
   */
  readonly notReadySince?: number | undefined;
  /** Resolves true once ready, false after `ms` or when the connection cannot become ready. */
  waitForReady(ms: number): Promise<boolean>;
  /** The typed error explaining why the connection cannot become ready, if known. */
  notReadyCause(): Error | undefined;
  /**
   * A command dispatched on connection `epoch` overran its deadline: the connection is
   * presumed dead (silent socket, frozen server) and should be replaced.
   */
  onDeadlineOverrun(epoch: number): void;
}

/** Everything a call needs besides its arguments. */
export interface OperationContext<C> {
  readonly connection: OperationConnection<C>;
  /** Its `timeout` option must be the default deadline (`operationTimeout`). */
  readonly breaker: CircuitBreaker;
  /** How long a call waits for a connection that is not ready, in ms. */
  readonly reconnectGrace: number;
  /** Default deadline in ms (the breaker's `timeout`). */
  readonly operationTimeout: number;
  readonly clock: Clock;
  /** Secrets scrubbed from errors handed to fallbacks. */
  readonly secrets: readonly string[];
  /** Reports a failure (rate-limited reporter, last error for health). */
  onFailure(operation: string, kind: RedisFallbackReason | 'data', error: unknown): void;
  /** The adapter's name, published on the diagnostics channels. @default '' */
  readonly adapterName?: string;
  /**
   * The adapter's operation observer (metrics): `current` is read on every call and is
   * `undefined` while nobody observes, which keeps the hot path free of clock reads.
   */
  readonly operationObserver?: {
    readonly current: RedisOperationObserver | undefined;
    /** False when no observer wants durations: no clock is read for them. */
    readonly timed: boolean;
  };
  /**
   * The adapter's plain-integer outcome counts (`countOperations()`): `current` is read on every
   * call and is `undefined` while no counter is open.
   */
  readonly operationCounts?: { readonly current: OperationCountTable | undefined };
  /** Time source of observed durations, in ms. @default `clock.now()` */
  readonly observeNow?: () => number;
  /**
   * Emits 'operation' events; whether the event has listeners is checked first so no payload is
   * built in vain: `listening.on` when given (a live flag: one property read per call, see
   * `Emitter.listening`), else `hasListeners()`.
   */
  readonly operationEvents?: {
    readonly listening?: { readonly on: boolean };
    hasListeners?(): boolean;
    emit(payload: RedisAdapterEvents['operation']): void;
  };
}

/**
 * `isFailure` for the adapter's breaker: everything but data errors counts (a
 * `RedisCorruptValueError` is a data error: Redis answered).
 */
export function isRedisAvailabilityFailure(error: unknown): boolean {
  return classifyRedisError(error) !== 'data';
}

/**
 * Runs `op(client, signal)` through the breaker with a deadline (`options.timeout` or the
 * context's default). Settles by the deadline with the value, `fallback(kind, error)` when
 * Redis could not be used, or rejects with the op's data error unchanged (also with the
 * caller's abort reason, or with whatever the fallback throws). A `RedisCorruptValueError` the
 * op throws rejects unchanged too, but is counted and reported as fallback reason `corrupt`.
 */
export function executeWithContext<C, T, F = T>(
  ctx: OperationContext<C>,
  op: (client: C, signal: AbortSignal) => T | PromiseLike<T>,
  fallback: RedisFallback<F>,
  name: string,
  options?: RedisOperationOptions,
): Promise<T | F> {
  // A caller's bug, not an outage: never hidden behind the fallback while Redis is down, and
  // reported the way every other outcome is, as a settled promise (never a synchronous throw).
  if (typeof op !== 'function') {
    const got = op === null ? 'null' : typeof op;
    return Promise.reject(
      new TypeError(
        `executeRedisOperation: op must be a function (client, signal) => …, got ${got}`,
      ),
    );
  }
  // `op.length` is a native accessor: read once per distinct op (most callers pass the same one).
  let takesSignal = lastOpTakesSignal;
  if (op !== lastOp) {
    takesSignal = op.length >= 2;
    lastOp = op;
    lastOpTakesSignal = takesSignal;
  }
  const observer = ctx.operationObserver?.current;
  const events = ctx.operationEvents;
  const listening = events !== undefined && hasListeners(events);
  const table = ctx.operationCounts?.current;
  const call = new RedisCall<C, T, F>(
    ctx,
    op,
    fallback,
    name,
    options,
    takesSignal,
    table?.countsOf(name),
    observer,
    listening || (observer !== undefined && ctx.operationObserver!.timed),
  );
  if (operationChannel.hasSubscribers) return executeTraced(call);
  // Hot path: the caller gets the breaker's own promise (no async wrapper, no extra hop).
  return run(call);
}

/** The last op seen and whether it takes a signal (`op.length` is read once per op). */
let lastOp: unknown = undefined;
let lastOpTakesSignal = false;

/** With subscribers on the `breakwater:redis:operation` tracing channel. */
function executeTraced<C, T, F>(call: RedisCall<C, T, F>): Promise<T | F> {
  const context: RedisOperationTraceContext = {
    client: call.ctx.adapterName ?? '',
    operation: call.name,
  };
  return operationChannel.tracePromise(
    () =>
      run(call).then((value) => {
        if (call.fellBack !== undefined) context.fallback = call.fellBack;
        return value;
      }),
    context,
  );
}

/**
 * The breaker call itself (only the breaker's own keys are forwarded: cluster calls carry `key`
 * too); an observed call the hooks cannot see whole watches the caller's promise.
 */
function run<C, T, F>(call: RedisCall<C, T, F>): Promise<T | F> {
  const options = call.options;
  const opts =
    options === undefined ? undefined : { timeout: options.timeout, signal: options.signal };
  const p = call.ctx.breaker.executeCall(call, opts);
  if (call.watched === 'reaction') call.watch(p);
  return p;
}
