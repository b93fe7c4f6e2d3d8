/**
 * The lean call with a deadline: a time limit (call timeout or half-open trial limit), no
 * caller signal, and an op that takes no signal parameter (so nothing needs aborting). It is
 * the common "breaker with a timeout" case, so it is one small object (linked into the
 * breaker's deadline list), the caller's promise and one pair of settle handlers. The op
 * settling or the deadline passing settles the call, whichever comes first; the other is
 * ignored (a call is pending exactly while it is linked).
 */
import type { FallbackTarget } from './breaker-call.js';
import { NEVER_ABORTED, isThenable, type Operation } from './call-support.js';
import type { DeadlineEntry, DeadlineList } from './deadline-list.js';
import { TimeoutError } from './errors.js';
import type { OutcomeRecorder } from './outcome-recorder.js';

/**
 * Most idle call objects a breaker keeps for reuse. A pool smaller than the usual concurrency
 * (100 concurrent calls is common for a Redis client) makes every call past it allocate a call
 * object and its two handlers: 32 cost ~20 ns per call at concurrency 100 (bench/micro: 177 vs
 * 157 ns per timed call). An idle call object is ~250 bytes, so a full pool is ~64 KiB, held
 * only by a breaker that once ran that many timed calls at the same time.
 */
const POOL_SIZE = 256;

// Fields are `declare`d and assigned in the constructor, in one order: no class-field
// initializer function (which V8 may not inline) and one hidden class for every call.
class TimedCall implements DeadlineEntry {
  declare deadline: number;
  declare prev: DeadlineEntry | null;
  declare next: DeadlineEntry | null;
  declare linked: boolean;
  declare resolve: (value: unknown) => void;
  declare reject: (error: unknown) => void;
  declare gen: number;
  declare trial: boolean;
  declare start: number;
  declare limit: number;
  declare fallback: FallbackTarget<unknown> | undefined;
  /** Next free object while pooled. */
  declare nextFree: TimedCall | null;
  /** Settle handlers for the op's promise, bound to this object once for all its uses. */
  declare readonly onValue: (value: unknown) => void;
  declare readonly onError: (error: unknown) => void;
  declare private readonly calls: TimedCalls;

  constructor(calls: TimedCalls) {
    this.deadline = 0;
    this.prev = null;
    this.next = null;
    this.linked = false;
    this.resolve = noop;
    this.reject = noop;
    this.gen = 0;
    this.trial = false;
    this.start = 0;
    this.limit = 0;
    this.fallback = undefined;
    this.nextFree = null;
    this.onValue = (value) => this.succeed(value);
    this.onError = (error) => this.fail(error);
    this.calls = calls;
  }

  /** The op settled with a value (ignored once the call is settled). */
  succeed(value: unknown): void {
    if (!this.linked) return;
    const calls = this.calls;
    calls.list.remove(this);
    try {
      calls.recorder.recordSuccess(this.gen, this.trial, this.start, this.fallback);
    } finally {
      this.resolve(value);
      calls.release(this);
    }
  }

  /** The op failed (ignored once the call is settled). */
  fail(error: unknown): void {
    if (!this.linked) return;
    const calls = this.calls;
    calls.list.remove(this);
    try {
      this.resolve(
        calls.recorder.handleError(this.gen, this.trial, this.start, error, this.fallback),
      );
    } catch (thrown) {
      this.reject(thrown);
    }
    calls.release(this);
  }

  /**
   * Deadline passed (called by the DeadlineList, already unlinked). The object is not reused:
   * its handlers may still be attached to the op's promise, and must find it settled.
   */
  expire(): void {
    const error = new TimeoutError(this.limit);
    try {
      this.resolve(
        this.calls.recorder.handleTimeout(this.gen, this.trial, this.start, error, this.fallback),
      );
    } catch (thrown) {
      this.reject(thrown);
    }
    this.resolve = this.reject = noop;
    this.fallback = undefined;
  }
}

function noop(): void {}

const nativeThen = Promise.prototype.then;

// A shared executor (no closure per call): the Promise constructor calls it synchronously,
// and run() picks the resolvers up right away.
let capturedResolve: (value: unknown) => void = noop;
let capturedReject: (error: unknown) => void = noop;
function capture(resolve: (value: unknown) => void, reject: (error: unknown) => void): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

/**
 * A breaker's runner for timed calls. A call object whose op settled (so its handlers have
 * fired and can never fire again) goes back to a small pool and serves a later call: the
 * common case allocates only the caller's promise.
 */
export class TimedCalls {
  private free: TimedCall | null = null;
  private freeCount = 0;

  constructor(
    readonly recorder: OutcomeRecorder,
    readonly list: DeadlineList,
  ) {}

  /** Runs `op` under a deadline `limit` ms after `start`; see the file comment. */
  run(
    gen: number,
    trial: boolean,
    start: number,
    limit: number,
    op: Operation<unknown>,
    fallback: FallbackTarget<unknown> | undefined,
  ): Promise<unknown> {
    let call = this.free;
    if (call === null) call = new TimedCall(this);
    else {
      this.free = call.nextFree;
      call.nextFree = null;
      this.freeCount--;
    }
    const promise = new Promise(capture);
    call.resolve = capturedResolve;
    call.reject = capturedReject;
    call.gen = gen;
    call.trial = trial;
    call.start = start;
    call.limit = limit;
    call.fallback = fallback;
    call.deadline = start + limit;
    this.list.insert(call);
    let result: unknown;
    try {
      result = op(NEVER_ABORTED);
    } catch (error) {
      call.fail(error);
      return promise;
    }
    if (isThenable(result)) {
      // The native `then`, even on a Promise subclass: its reactions fire at most once, which
      // the reuse of `call` relies on.
      const p = result instanceof Promise ? result : Promise.resolve(result);
      nativeThen.call(p, call.onValue, call.onError);
    } else {
      call.succeed(result);
    }
    return promise;
  }

  /** Takes back a call whose op has settled (its handlers can never fire again). */
  release(call: TimedCall): void {
    call.resolve = call.reject = noop;
    call.fallback = undefined;
    if (this.freeCount === POOL_SIZE) return;
    call.nextFree = this.free;
    this.free = call;
    this.freeCount++;
  }
}
