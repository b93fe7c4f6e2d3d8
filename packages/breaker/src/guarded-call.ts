/**
 * A call that involves a signal: the caller passed `options.signal`, and/or it has a deadline
 * and its op declares a signal parameter (so the deadline must abort it). Whichever comes
 * first — the op settling, the deadline, the caller's abort — settles the call, exactly once;
 * the others are ignored. Calls without a signal take cheaper paths (call-runners.ts,
 * timed-call.ts) and never create one of these.
 */
import type { FallbackTarget } from './breaker-call.js';
import { NEVER_ABORTED, isThenable, newDeferred, type Operation } from './call-support.js';
import type { DeadlineEntry, DeadlineList } from './deadline-list.js';
import { TimeoutError } from './errors.js';
import type { OutcomeRecorder } from './outcome-recorder.js';

class GuardedCall implements DeadlineEntry {
  deadline = Infinity;
  prev: DeadlineEntry | null = null;
  next: DeadlineEntry | null = null;
  linked = false;
  settled = false;
  /** Only created when the op can observe a signal and a deadline can abort it. */
  controller: AbortController | undefined = undefined;
  resolve: (value: unknown) => void = noop;
  reject: (error: unknown) => void = noop;
  private onCallerAbort: (() => void) | undefined = undefined;

  constructor(
    private readonly recorder: OutcomeRecorder,
    private readonly list: DeadlineList,
    /** Generation the call was admitted in. */
    private readonly gen: number,
    /** Admitted as a half-open trial (owns a trial slot). */
    private readonly trial: boolean,
    /** Clock time at admission. */
    private readonly start: number,
    /** Time limit in ms, or false. */
    private readonly limit: number | false,
    private readonly callerSignal: AbortSignal | undefined,
    private readonly fallback: FallbackTarget<unknown> | undefined,
  ) {}

  /** Starts `op`; `observes`: the op takes a signal parameter (`op.length > 0`). */
  run(op: Operation<unknown>, observes: boolean): void {
    const caller = this.callerSignal;
    let signal = caller ?? NEVER_ABORTED;
    if (this.limit !== false) {
      if (observes) {
        this.controller = new AbortController();
        signal = this.controller.signal;
      }
      this.deadline = this.start + this.limit;
      this.list.insert(this);
    }
    if (caller !== undefined) {
      this.onCallerAbort = () => this.abort(caller.reason);
      caller.addEventListener('abort', this.onCallerAbort, { once: true });
    }
    let result: unknown;
    try {
      result = op(signal);
    } catch (error) {
      this.fail(error);
      return;
    }
    if (isThenable(result)) {
      const p = result instanceof Promise ? result : Promise.resolve(result);
      p.then(
        (value: unknown) => this.succeed(value),
        (error: unknown) => this.fail(error),
      );
    } else {
      this.succeed(result);
    }
  }

  private succeed(value: unknown): void {
    if (!this.finish()) return;
    try {
      this.recorder.recordSuccess(this.gen, this.trial, this.start, this.fallback);
    } finally {
      this.resolve(value);
    }
  }

  private fail(error: unknown): void {
    if (!this.finish()) return;
    try {
      this.resolve(
        this.recorder.handleError(this.gen, this.trial, this.start, error, this.fallback),
      );
    } catch (thrown) {
      this.reject(thrown);
    }
  }

  /** Deadline passed (called by the DeadlineList, already unlinked). */
  expire(): void {
    if (!this.finish()) return;
    const error = new TimeoutError(this.limit as number);
    this.controller?.abort(error);
    try {
      this.resolve(
        this.recorder.handleTimeout(this.gen, this.trial, this.start, error, this.fallback),
      );
    } catch (thrown) {
      this.reject(thrown);
    }
  }

  private abort(reason: unknown): void {
    if (!this.finish()) return;
    this.controller?.abort(reason);
    this.recorder.recordNeutral(this.gen, this.trial, this.start, reason);
    this.reject(reason);
  }

  /** Marks the call settled and releases its deadline and listener; false if it already was. */
  private finish(): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.list.remove(this);
    if (this.onCallerAbort !== undefined) {
      this.callerSignal!.removeEventListener('abort', this.onCallerAbort);
      this.onCallerAbort = undefined;
    }
    return true;
  }
}

function noop(): void {}

/** Runs `op` racing its deadline (if any) and the caller's signal (if any). */
export function runGuarded(
  recorder: OutcomeRecorder,
  list: DeadlineList,
  gen: number,
  trial: boolean,
  start: number,
  limit: number | false,
  signal: AbortSignal | undefined,
  observes: boolean,
  op: Operation<unknown>,
  fallback: FallbackTarget<unknown> | undefined,
): Promise<unknown> {
  const call = new GuardedCall(recorder, list, gen, trial, start, limit, signal, fallback);
  const promise = newDeferred(call);
  call.run(op, observes);
  return promise;
}
