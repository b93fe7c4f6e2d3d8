/**
 * One admitted call that needs racing: it has a deadline (call timeout or half-open trial
 * limit) and/or a caller signal. Whichever comes first — the op settling, the deadline, the
 * caller's abort — settles the call, exactly once; the others are ignored. Calls with neither
 * take a cheaper path in the breaker and never create one of these.
 */
import type { DeadlineEntry, DeadlineList } from './deadline-list.js';
import { TimeoutError } from './errors.js';

/** How a guarded call reports its outcome; each method returns the value to settle with. */
export interface CallOwner {
  onCallSuccess(call: GuardedCall): void;
  /** Returns the fallback's result, or throws the error to reject with. */
  onCallError(call: GuardedCall, error: unknown): unknown;
  /** Returns the fallback's result, or throws the TimeoutError to reject with. */
  onCallTimeout(call: GuardedCall, error: TimeoutError): unknown;
  onCallAbort(call: GuardedCall, reason: unknown): void;
}

/** True for promises and other thenables. */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (
    v !== null &&
    (typeof v === 'object' || typeof v === 'function') &&
    typeof (v as PromiseLike<unknown>).then === 'function'
  );
}

/** An AbortSignal that never aborts: handed to ops when nothing can cancel them. */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal;

// A shared executor (no closure per call): the Promise constructor calls it synchronously,
// and the constructor below picks the resolvers up right away.
let capturedResolve: (value: unknown) => void;
let capturedReject: (error: unknown) => void;
const captureResolvers = (
  resolve: (value: unknown) => void,
  reject: (error: unknown) => void,
): void => {
  capturedResolve = resolve;
  capturedReject = reject;
};

export class GuardedCall implements DeadlineEntry {
  deadline = Infinity;
  prev: DeadlineEntry | null = null;
  next: DeadlineEntry | null = null;
  linked = false;
  settled = false;
  /** Only created when the op can observe a signal and a deadline can abort it. */
  controller: AbortController | undefined = undefined;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  readonly promise: Promise<unknown>;
  private onCallerAbort: (() => void) | undefined = undefined;

  constructor(
    private readonly owner: CallOwner,
    private readonly list: DeadlineList,
    /** Generation the call was admitted in. */
    readonly generation: number,
    /** Admitted as a half-open trial (owns a trial slot). */
    readonly trial: boolean,
    /** Clock time at admission. */
    readonly start: number,
    /** Time limit in ms, or false. */
    readonly limit: number | false,
    readonly callerSignal: AbortSignal | undefined,
    /** The caller's fallback, if any (read by the owner). */
    readonly fallback: ((reason: unknown) => unknown) | undefined,
  ) {
    this.promise = new Promise(captureResolvers);
    this.resolve = capturedResolve;
    this.reject = capturedReject;
  }

  /**
   * Starts `op`. `observes` tells whether the op takes a signal parameter (`op.length > 0`):
   * only then is an AbortController created for the deadline.
   */
  run(op: (signal: AbortSignal) => unknown, observes: boolean): Promise<unknown> {
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
      return this.promise;
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
    return this.promise;
  }

  private succeed(value: unknown): void {
    if (!this.finish()) return;
    try {
      this.owner.onCallSuccess(this);
    } finally {
      this.resolve(value);
    }
  }

  private fail(error: unknown): void {
    if (!this.finish()) return;
    this.settleWith(() => this.owner.onCallError(this, error));
  }

  /** Deadline passed (called by the DeadlineList, already unlinked). */
  expire(): void {
    if (!this.finish()) return;
    const error = new TimeoutError(this.limit as number);
    this.controller?.abort(error);
    this.settleWith(() => this.owner.onCallTimeout(this, error));
  }

  private abort(reason: unknown): void {
    if (!this.finish()) return;
    this.controller?.abort(reason);
    this.owner.onCallAbort(this, reason);
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

  private settleWith(produce: () => unknown): void {
    try {
      this.resolve(produce());
    } catch (error) {
      this.reject(error);
    }
  }
}
