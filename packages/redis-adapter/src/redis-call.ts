/**
 * One Redis call as the breaker's call object (`CircuitBreaker.executeCall`): `run` sends the
 * op (or first waits out what is left of the reconnect grace), `fallback` classifies, reports
 * and falls back, `ignored` reports the op's own errors (Redis answered: data or corrupt); a
 * watched call also reports each outcome once, through the same hooks.
 */
import {
  invokeUserCallback,
  isThenable,
  isTimeoutError,
  type BreakerCall,
} from '@breakwater/breaker';
import { classifyRedisError } from './classify-error.js';
import { isRedisCorruptValueError, RedisNotReadyError } from './errors.js';
import type { OperationContext } from './execute-redis-operation.js';
import { countOutcome, type OperationCountsRecord } from './operation-counts.js';
import { redactError } from './redact.js';
import type {
  RedisFailureKind,
  RedisFallback,
  RedisFallbackReason,
  RedisOperationObserver,
  RedisOperationOptions,
  RedisOperationResult,
} from './types.js';

/**
 * How a call reports its outcome (see {@link RedisCall}): `none` (nobody watches), `hooks` (the
 * breaker's hooks report it: no caller signal, options the breaker accepts) or `reaction` (a
 * reaction on the caller's promise does, {@link RedisCall.watch}).
 */
export type Watch = 'none' | 'hooks' | 'reaction';

/**
 * One Redis call, handed to the breaker as its call object: `run` sends the op (or waits out
 * the reconnect grace first), `fallback` classifies, reports and falls back, `ignored` reports
 * the op's own (data or corrupt-value) errors. No closure and no extra promise reaction per call.
 *
 * A watched call also reports its one outcome to the adapter's counts (`countOperations()`),
 * observer and 'operation' listeners. Without a caller signal it learns the outcome from the
 * breaker's hooks (`succeeded` → success, `fallback` → fallback, or error when the fallback throws
 * or rejects, `ignored` → fallback `corrupt` or error), with no promise reaction of its own; a
 * call with a caller signal is watched with one reaction instead ({@link watch}), because an
 * abort has no hook.
 *
 * One class with one field layout for every call, watched or not, so that the breaker's call
 * sites stay monomorphic: a subclass for watched calls cost every call ~40 ns at concurrency 100
 * once both kinds ran in one process (a scratch harness over a fake client; BENCHMARKS.md, "Observability cost"). Fields are `declare`d
 * and assigned in the constructor, in one order, as the breaker's own call objects are.
 */
export class RedisCall<C, T, F> implements BreakerCall<T, F> {
  declare readonly ctx: OperationContext<C>;
  declare readonly op: (client: C, signal: AbortSignal) => T | PromiseLike<T>;
  declare readonly fb: RedisFallback<F>;
  declare readonly name: string;
  declare readonly options: RedisOperationOptions | undefined;
  /** The op takes the signal (a deadline must abort it). */
  declare readonly observesSignal: boolean;
  /** Epoch of the connection the op was sent on, -1 if it was not sent. */
  declare dispatched: number;
  /** Set once the call fell back. */
  declare fellBack: RedisFailureKind | undefined;
  /** Set when the op's own error was reported: a corrupt value or a data error. */
  declare rejected: 'corrupt' | 'data' | undefined;
  /** How the outcome is reported. */
  declare readonly watched: Watch;
  /** The adapter's plain-integer counts of this call's name, while a counter is open. */
  declare private readonly counts: OperationCountsRecord | undefined;
  /** Only the counts watch (no observer, no 'operation' listener): one increment, no callback. */
  declare private readonly countsOnly: boolean;
  declare private readonly observer: RedisOperationObserver | undefined;
  /** Whether the observer or listeners want the duration. */
  declare private readonly timed: boolean;
  /** Clock reading at the start (NaN when nobody wants durations). */
  declare private readonly start: number;

  constructor(
    ctx: OperationContext<C>,
    op: (client: C, signal: AbortSignal) => T | PromiseLike<T>,
    fb: RedisFallback<F>,
    name: string,
    options: RedisOperationOptions | undefined,
    observesSignal: boolean,
    /** Counts, observer and durations: all `undefined`/false for a call nobody watches. */
    counts: OperationCountsRecord | undefined,
    observer: RedisOperationObserver | undefined,
    timed: boolean,
  ) {
    this.ctx = ctx;
    this.op = op;
    this.fb = fb;
    this.name = name;
    this.options = options;
    this.observesSignal = observesSignal;
    this.dispatched = -1;
    this.fellBack = undefined;
    this.rejected = undefined;
    this.watched =
      counts === undefined && observer === undefined && !timed
        ? 'none'
        : options === undefined || (options.signal === undefined && hookable(options))
          ? 'hooks'
          : 'reaction';
    this.counts = counts;
    this.countsOnly = observer === undefined && !timed;
    this.observer = observer;
    this.timed = timed;
    this.start = timed ? this.now() : NaN;
  }

  run(signal: AbortSignal): T | PromiseLike<T> {
    const conn = this.ctx.connection;
    if (conn.isReady()) {
      this.dispatched = conn.epoch;
      return this.op(conn.client, signal);
    }
    return waitThenRun(this, signal);
  }

  fallback(reason: unknown): F | PromiseLike<F> {
    if (this.watched !== 'hooks') return this.fallBack(reason);
    let value: F | PromiseLike<F>;
    try {
      value = this.fallBack(reason);
    } catch (error) {
      this.report('error', undefined);
      throw error;
    }
    if (!isThenable(value)) {
      this.report('fallback', this.fellBack);
      return value;
    }
    // An async fallback: its outcome is known when it settles.
    return Promise.resolve(value).then(
      (v) => {
        this.report('fallback', this.fellBack);
        return v;
      },
      (error: unknown) => {
        this.report('error', undefined);
        throw error;
      },
    );
  }

  /** The op's own error (Redis answered): reported as `corrupt` or `data`, then rejected. */
  ignored(error: unknown): void {
    const kind = isRedisCorruptValueError(error) ? 'corrupt' : 'data';
    this.rejected = kind;
    this.ctx.onFailure(this.name, kind, error);
    if (this.watched !== 'hooks') return;
    if (kind === 'corrupt') this.report('fallback', 'corrupt');
    else this.report('error', undefined);
  }

  succeeded(): void {
    if (this.watched !== 'hooks') return;
    // The common case of an instrumented adapter: one increment, no callback.
    if (this.countsOnly) this.counts!.success++;
    else this.report('success', undefined);
  }

  /** With a caller signal: observes the caller's promise `p` (one reaction). */
  watch(p: Promise<unknown>): void {
    if (this.watched !== 'reaction') return;
    p.then(
      () => this.report(this.fellBack === undefined ? 'success' : 'fallback', this.fellBack),
      () => {
        if (this.rejected === 'corrupt') this.report('fallback', 'corrupt');
        else this.report('error', undefined);
      },
    );
  }

  /** Classifies, reports and falls back. */
  private fallBack(reason: unknown): F | PromiseLike<F> {
    const ctx = this.ctx;
    const cls = classifyRedisError(reason);
    // A data-class error counted as a failure: the adapter's close cut the op off (see
    // adapterBreakerOptions), or the user's own isFailure said so.
    const kind: RedisFailureKind =
      cls !== 'data' ? cls : ctx.connection.state === 'closed' ? 'not-ready' : 'unknown';
    this.fellBack = kind;
    if (kind === 'timeout' && this.dispatched >= 0 && isTimeoutError(reason)) {
      ctx.connection.onDeadlineOverrun(this.dispatched);
    }
    ctx.onFailure(this.name, kind, reason);
    return this.fb(kind, redactError(reason, ctx.secrets));
  }

  private now(): number {
    const ctx = this.ctx;
    return ctx.observeNow !== undefined ? ctx.observeNow() : ctx.clock.now();
  }

  /** Hands the outcome to the counts, the observer and the 'operation' listeners; never throws. */
  private report(result: RedisOperationResult, reason: RedisFallbackReason | undefined): void {
    const counts = this.counts;
    if (counts !== undefined) countOutcome(counts, result, reason);
    if (this.countsOnly) return;
    const durationMs = this.timed ? this.now() - this.start : NaN;
    const operation = this.name;
    const observer = this.observer;
    if (observer !== undefined) {
      invokeUserCallback('operation observer', observer, operation, result, reason, durationMs);
    }
    const events = this.ctx.operationEvents;
    if (events !== undefined && hasListeners(events)) {
      events.emit(
        reason === undefined
          ? { operation, result, durationMs }
          : { operation, result, reason, durationMs },
      );
    }
  }
}

/**
 * False when the breaker will refuse the call's options outright (a `timeout` that is not a
 * finite number > 0, the breaker's rule): it then rejects at once and calls no hook, so the call
 * must be watched with a reaction to be seen at all.
 */
function hookable(options: RedisOperationOptions): boolean {
  const t: unknown = options.timeout;
  return t === undefined || (typeof t === 'number' && Number.isFinite(t) && t > 0);
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
  // The deadline (fellBack) or the caller's abort (the signal) won meanwhile: never run late.
  if (call.fellBack !== undefined || signal.aborted) return undefined as T;
  if (!ready) throw conn.notReadyCause() ?? new RedisNotReadyError(conn.state);
  call.dispatched = conn.epoch;
  return call.op(conn.client, signal);
}

/** Whether the context's 'operation' event has listeners (either form of `operationEvents`). */
export function hasListeners(
  events: NonNullable<OperationContext<unknown>['operationEvents']>,
): boolean {
  const flag = events.listening;
  return flag !== undefined ? flag.on : events.hasListeners !== undefined && events.hasListeners();
}
