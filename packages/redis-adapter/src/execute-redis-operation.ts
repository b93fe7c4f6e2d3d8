/**
 * The heart of the adapter: one call = deadline + readiness grace + breaker + classification +
 * fallback + reporting. It knows nothing about node-redis: it works on the small
 * {@link OperationConnection} interface (a test runs it around an ioredis client).
 */
import {
  invokeUserCallback,
  isTimeoutError,
  type BreakerCall,
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
  // `op.length` is a native accessor: read once per distinct op (most callers pass the same one).
  let takesSignal = lastOpTakesSignal;
  if (op !== lastOp) {
    takesSignal = op.length >= 2;
    lastOp = op;
    lastOpTakesSignal = takesSignal;
  }
  const call = new RedisCall<C, T, F>(ctx, op, fallback, name, options, takesSignal);
  if (operationChannel.hasSubscribers) return executeTraced(call);
  return executeUntraced(call);
}

/** The last op seen and whether it takes a signal (`op.length` is read once per op). */
let lastOp: unknown = undefined;
let lastOpTakesSignal = false;

/**
 * One Redis call, handed to the breaker as its call object: `run` sends the op (or waits out
 * the reconnect grace first), `fallback` classifies, reports and falls back, `ignored` reports
 * the op's own (data or corrupt-value) errors. No closure and no extra promise reaction per call.
 */
class RedisCall<C, T, F> implements BreakerCall<T, F> {
  /** Epoch of the connection the op was sent on, -1 if it was not sent. */
  dispatched = -1;
  /** Set once the call fell back. */
  fellBack: RedisFailureKind | undefined = undefined;
  /** Set when the op's own error was reported: a corrupt value or a data error. */
  rejected: 'corrupt' | 'data' | undefined = undefined;

  constructor(
    readonly ctx: OperationContext<C>,
    readonly op: (client: C, signal: AbortSignal) => T | PromiseLike<T>,
    readonly fb: RedisFallback<F>,
    readonly name: string,
    readonly options: RedisOperationOptions | undefined,
    /** The op takes the signal (a deadline must abort it). */
    readonly observesSignal: boolean,
  ) {}

  run(signal: AbortSignal): T | PromiseLike<T> {
    const conn = this.ctx.connection;
    if (conn.isReady()) {
      this.dispatched = conn.epoch;
      return this.op(conn.client, signal);
    }
    return waitThenRun(this, signal);
  }

  fallback(reason: unknown): F | PromiseLike<F> {
    const ctx = this.ctx;
    const cls = classifyRedisError(reason);
    const kind: RedisFailureKind = cls === 'data' ? 'unknown' : cls;
    this.fellBack = kind;
    if (kind === 'timeout' && this.dispatched >= 0 && isTimeoutError(reason)) {
      ctx.connection.onDeadlineOverrun(this.dispatched);
    }
    ctx.onFailure(this.name, kind, reason);
    return this.fb(kind, redactError(reason, ctx.secrets));
  }

  /** The op's own error (Redis answered): reported as `corrupt` or `data`, then rejected. */
  ignored(error: unknown): void {
    const kind = isRedisCorruptValueError(error) ? 'corrupt' : 'data';
    this.rejected = kind;
    this.ctx.onFailure(this.name, kind, error);
  }
}

function executeUntraced<C, T, F>(call: RedisCall<C, T, F>): Promise<T | F> {
  const ctx = call.ctx;
  const observer = ctx.operationObserver?.current;
  const events = ctx.operationEvents;
  const listening = events !== undefined && events.hasListeners();
  if (observer !== undefined || listening) {
    const timed = listening || ctx.operationObserver!.timed;
    return executeObserved(call, observer, timed);
  }
  // Hot path: the caller gets the breaker's own promise (no async wrapper, no extra hop).
  return run(call);
}

/**
 * With an operation observer (metrics) or 'operation' listeners: the same breaker promise is
 * handed back, and the outcome is observed on the side (one reaction, registered before the
 * caller's, so observers see a call before its caller resumes). Two clock reads, and an event
 * object only when 'operation' listeners exist.
 */
function executeObserved<C, T, F>(
  call: RedisCall<C, T, F>,
  observer: RedisOperationObserver | undefined,
  timed: boolean,
): Promise<T | F> {
  const ctx = call.ctx;
  const name = call.name;
  const now = ctx.observeNow ?? (() => ctx.clock.now());
  const start = timed ? now() : NaN;
  const p = run(call);
  p.then(
    () => {
      const reason = call.fellBack;
      const result = reason === undefined ? 'success' : 'fallback';
      settled(ctx, observer, name, result, reason, timed ? now() - start : NaN);
    },
    () => {
      const durationMs = timed ? now() - start : NaN;
      if (call.rejected === 'corrupt')
        settled(ctx, observer, name, 'fallback', 'corrupt', durationMs);
      else settled(ctx, observer, name, 'error', undefined, durationMs);
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
function executeTraced<C, T, F>(call: RedisCall<C, T, F>): Promise<T | F> {
  const context: RedisOperationTraceContext = {
    client: call.ctx.adapterName ?? '',
    operation: call.name,
  };
  return operationChannel.tracePromise(
    () =>
      executeUntraced<C, T, F>(call).then((value) => {
        if (call.fellBack !== undefined) context.fallback = call.fellBack;
        return value;
      }),
    context,
  );
}

/** The breaker call itself (only the breaker's own keys are forwarded: cluster calls carry `key` too). */
function run<C, T, F>(call: RedisCall<C, T, F>): Promise<T | F> {
  const options = call.options;
  const opts =
    options === undefined ? undefined : { timeout: options.timeout, signal: options.signal };
  return call.ctx.breaker.executeCall(call, opts);
}

/**
 * Slow path: the connection is not ready. Wait for what is left of the reconnect grace (counted
 * from when the connection stopped being ready, inside the call's deadline); after that, fail
 * at once so the call takes the fallback.
 */
async function waitThenRun<C, T, F>(call: RedisCall<C, T, F>, signal: AbortSignal): Promise<T> {
  const ctx = call.ctx;
  const conn = ctx.connection;
  const since = conn.notReadySince;
  const graceLeft =
    since === undefined ? ctx.reconnectGrace : ctx.reconnectGrace - (ctx.clock.now() - since);
  const ready =
    graceLeft > 0 &&
    (await conn.waitForReady(Math.min(graceLeft, call.options?.timeout ?? ctx.operationTimeout)));
  if (call.fellBack !== undefined) return undefined as T; // the deadline won meanwhile: never run late
  if (!ready) throw conn.notReadyCause() ?? new RedisNotReadyError(conn.state);
  call.dispatched = conn.epoch;
  return call.op(conn.client, signal);
}
