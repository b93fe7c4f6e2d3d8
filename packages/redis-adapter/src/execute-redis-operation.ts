/**
 * The heart of the adapter: one call = deadline + readiness grace + breaker + classification +
 * fallback + reporting. It knows nothing about node-redis: it works on the small
 * {@link OperationConnection} interface (a test runs it around an ioredis client).
 */
import {
  invokeUserCallback,
  isTimeoutError,
  type CircuitBreaker,
  type Clock,
} from '@breakwater/breaker';
import { classifyRedisError } from './classify-error.js';
import { operationChannel, type RedisOperationTraceContext } from './diagnostics.js';
import { isRedisCorruptValueError, RedisNotReadyError } from './errors.js';
import { redactError } from './redact.js';
import type {
  RedisAdapterEvents,
  RedisConnectionState,
  RedisFailureKind,
  RedisFallback,
  RedisFallbackReason,
  RedisOperationObserver,
  RedisOperationOptions,
  RedisOperationResult,
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
  /** Time source of observed durations, in ms. @default `clock.now()` */
  readonly observeNow?: () => number;
  /** Emits 'operation' events; `hasListeners()` is checked first so no payload is built in vain. */
  readonly operationEvents?: {
    hasListeners(): boolean;
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
  const st: CallState<C> = { ctx, op, options, dispatched: -1, fellBack: undefined };
  if (operationChannel.hasSubscribers) return executeTraced(ctx, st, fallback, name, options);
  return executeUntraced(ctx, st, fallback, name, options);
}

function executeUntraced<C, T, F>(
  ctx: OperationContext<C>,
  st: CallState<C>,
  fallback: RedisFallback<F>,
  name: string,
  options: RedisOperationOptions | undefined,
): Promise<T | F> {
  const observer = ctx.operationObserver?.current;
  const events = ctx.operationEvents;
  const listening = events !== undefined && events.hasListeners();
  if (observer !== undefined || listening) {
    const timed = listening || ctx.operationObserver!.timed;
    return executeObserved(ctx, st, observer, timed, fallback, name, options);
  }
  // Hot path: the caller gets the breaker's own promise (no async wrapper, no extra await hop);
  // data errors are observed on the side for the reporter.
  return run(ctx, st, fallback, name, options, true);
}

/**
 * With an operation observer (metrics) or 'operation' listeners: the same breaker promise is
 * handed back, and the outcome is observed on the side (one reaction, registered before the
 * caller's, so observers see a call before its caller resumes). Two clock reads, and an event
 * object only when 'operation' listeners exist.
 */
function executeObserved<C, T, F>(
  ctx: OperationContext<C>,
  st: CallState<C>,
  observer: RedisOperationObserver | undefined,
  timed: boolean,
  fallback: RedisFallback<F>,
  name: string,
  options: RedisOperationOptions | undefined,
): Promise<T | F> {
  const now = ctx.observeNow ?? (() => ctx.clock.now());
  const start = timed ? now() : NaN;
  const p = run<C, T, F>(ctx, st, fallback, name, options, false);
  p.then(
    () => {
      const reason = st.fellBack;
      const result = reason === undefined ? 'success' : 'fallback';
      settled(ctx, observer, name, result, reason, timed ? now() - start : NaN);
    },
    (error: unknown) => {
      const durationMs = timed ? now() - start : NaN;
      if (onRejected(ctx, st, name, options, error) === 'corrupt') {
        settled(ctx, observer, name, 'fallback', 'corrupt', durationMs);
      } else settled(ctx, observer, name, 'error', undefined, durationMs);
    },
  );
  return p;
}

/** Hands one outcome to the observer and the 'operation' listeners; never throws. */
function settled<C>(
  ctx: OperationContext<C>,
  observer: RedisOperationObserver | undefined,
  operation: string,
  result: RedisOperationResult,
  reason: RedisFallbackReason | undefined,
  durationMs: number,
): void {
  if (observer !== undefined) {
    invokeUserCallback('operation observer', observer, operation, result, reason, durationMs);
  }
  const events = ctx.operationEvents;
  if (events !== undefined && events.hasListeners()) {
    events.emit(
      reason === undefined
        ? { operation, result, durationMs }
        : { operation, result, reason, durationMs },
    );
  }
}

/** With subscribers on the `breakwater:redis:operation` tracing channel. */
function executeTraced<C, T, F>(
  ctx: OperationContext<C>,
  st: CallState<C>,
  fallback: RedisFallback<F>,
  name: string,
  options: RedisOperationOptions | undefined,
): Promise<T | F> {
  const context: RedisOperationTraceContext = { client: ctx.adapterName ?? '', operation: name };
  return operationChannel.tracePromise(
    () =>
      executeUntraced<C, T, F>(ctx, st, fallback, name, options).then((value) => {
        if (st.fellBack !== undefined) context.fallback = st.fellBack;
        return value;
      }),
    context,
  );
}

/**
 * A rejection that is not a fallback nor the caller's abort is the op's error: report it, as
 * `corrupt` for a `RedisCorruptValueError` (a degraded answer), else as `data`. Returns the kind
 * reported, `undefined` when nothing was.
 */
function onRejected<C>(
  ctx: OperationContext<C>,
  st: CallState<C>,
  name: string,
  options: RedisOperationOptions | undefined,
  error: unknown,
): 'corrupt' | 'data' | undefined {
  if (st.fellBack !== undefined || options?.signal?.aborted === true) return undefined;
  const kind = isRedisCorruptValueError(error) ? 'corrupt' : 'data';
  ctx.onFailure(name, kind, error);
  return kind;
}

/**
 * The breaker call itself. The op handed to the breaker is one of two module-level functions
 * (not a closure per call): the breaker runs an admitted op synchronously inside `execute`, so
 * the call it belongs to is passed through {@link pending}, set just before and read at once.
 * A stable op also lets the breaker skip reading `op.length` (a native accessor) per call.
 * `reportData`: observe data errors on the side for the reporter (the observed path does it in
 * its own reaction).
 */
function run<C, T, F>(
  ctx: OperationContext<C>,
  st: CallState<C>,
  fallback: RedisFallback<F>,
  name: string,
  options: RedisOperationOptions | undefined,
  reportData: boolean,
): Promise<T | F> {
  // Only the breaker's own keys are forwarded (cluster calls carry `key` too).
  const opts =
    options === undefined ? undefined : { timeout: options.timeout, signal: options.signal };
  // An op that does not take the signal gets the 0-arity runner: the breaker then skips
  // creating an AbortController per call.
  const op = st.op;
  let takesSignal = lastOpTakesSignal;
  if (op !== lastOp) {
    takesSignal = op.length >= 2;
    lastOp = op;
    lastOpTakesSignal = takesSignal;
  }
  pending = st;
  const p = ctx.breaker.execute(
    takesSignal ? runPendingWithSignal : runPending,
    (reason) => onFallback(ctx, st, fallback, name, reason),
    opts,
  ) as Promise<T | F>;
  pending = undefined;
  if (reportData) p.then(undefined, (error: unknown) => onRejected(ctx, st, name, options, error));
  return p;
}

/** The call whose op the breaker is about to run (see {@link run}). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- holds a call of any client type for one synchronous hop
let pending: CallState<any> | undefined;
/** The last op seen and whether it takes a signal (`op.length` is read once per op). */
let lastOp: unknown = undefined;
let lastOpTakesSignal = false;

function runPending(): unknown {
  return startOp(NO_SIGNAL);
}

function runPendingWithSignal(signal: AbortSignal): unknown {
  return startOp(signal);
}

function startOp(signal: AbortSignal): unknown {
  const st = pending;
  pending = undefined;
  if (st === undefined) throw new Error('breakwater: the breaker ran an op outside execute()');
  const conn = st.ctx.connection;
  if (conn.isReady()) {
    st.dispatched = conn.epoch;
    return st.op(conn.client, signal);
  }
  return waitThenRun(st.ctx, st.op, st, signal, st.options?.timeout);
}

interface CallState<C> {
  readonly ctx: OperationContext<C>;
  readonly op: (client: C, signal: AbortSignal) => unknown;
  readonly options: RedisOperationOptions | undefined;
  /** Epoch of the connection the op was sent on, -1 if it was not sent. */
  dispatched: number;
  /** Set once the call fell back. */
  fellBack: RedisFailureKind | undefined;
}

/**
 * Slow path: the connection is not ready. Wait for what is left of the reconnect grace (counted
 * from when the connection stopped being ready, inside the call's deadline); after that, fail
 * at once so the call takes the fallback.
 */
async function waitThenRun<C, T>(
  ctx: OperationContext<C>,
  op: (client: C, signal: AbortSignal) => T | PromiseLike<T>,
  st: CallState<C>,
  signal: AbortSignal,
  timeout: number | undefined,
): Promise<T> {
  const conn = ctx.connection;
  const since = conn.notReadySince;
  const graceLeft =
    since === undefined ? ctx.reconnectGrace : ctx.reconnectGrace - (ctx.clock.now() - since);
  const ready =
    graceLeft > 0 &&
    (await conn.waitForReady(Math.min(graceLeft, timeout ?? ctx.operationTimeout)));
  if (st.fellBack !== undefined) return undefined as T; // the deadline won meanwhile: never run late
  if (!ready) throw conn.notReadyCause() ?? new RedisNotReadyError(conn.state);
  st.dispatched = conn.epoch;
  return op(conn.client, signal);
}

function onFallback<C, F>(
  ctx: OperationContext<C>,
  st: CallState<C>,
  fallback: RedisFallback<F>,
  name: string,
  reason: unknown,
): F | PromiseLike<F> {
  const cls = classifyRedisError(reason);
  const kind: RedisFailureKind = cls === 'data' ? 'unknown' : cls;
  st.fellBack = kind;
  if (kind === 'timeout' && st.dispatched >= 0 && isTimeoutError(reason)) {
    ctx.connection.onDeadlineOverrun(st.dispatched);
  }
  ctx.onFailure(name, kind, reason);
  return fallback(kind, redactError(reason, ctx.secrets));
}

const NO_SIGNAL: AbortSignal = new AbortController().signal;
