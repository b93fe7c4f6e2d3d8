/**
 * The public circuit breaker: validates input, admits each call and hands it to the cheapest
 * runner that can honour it. The state and its transitions (state-machine.ts), admission
 * (admission.ts), outcome recording (outcome-recorder.ts), the runners (direct-call.ts,
 * timed-call.ts, guarded-call.ts), the window, trip rule, deadlines and events live in their
 * own files.
 */
import { ADMIT_CLOSED, ADMIT_TRIAL, REJECT, admit, shortCircuit } from './admission.js';
import {
  isBreakerCall,
  rejectNotBreakerCall,
  runPendingCall,
  swapPendingCall,
  type BreakerCall,
  type FallbackTarget,
} from './breaker-call.js';
import type { Fallback, Operation } from './call-support.js';
import { snapshotOf } from './circuit-state.js';
import { DeadlineList } from './deadline-list.js';
import { executeOptionsError } from './execute-options.js';
import { passThrough, runDirect } from './direct-call.js';
import { runGuarded } from './guarded-call.js';
import { resolveCircuitBreakerOptions, validateName } from './options.js';
import { OutcomeRecorder } from './outcome-recorder.js';
import { StateMachine } from './state-machine.js';
import { TimedCalls } from './timed-call.js';
import type {
  CircuitBreakerEvents,
  CircuitBreakerOptions,
  CircuitBreakerSnapshot,
  CircuitBreakerStats,
  CircuitState,
  ExecuteOptions,
  BreakerCallObserver,
  Unsubscribe,
} from './types.js';

export type { Fallback, Operation } from './call-support.js';
export type { BreakerCall } from './breaker-call.js';

/** A circuit breaker. See the package README for the exact rules. */
export class CircuitBreaker {
  readonly name: string;
  private readonly m: StateMachine;
  private readonly recorder: OutcomeRecorder;
  /** The breaker's call timeout (`false`: none). */
  private readonly timeout: number | false;
  /**
   * The last op that needed a deadline, and whether it takes a signal parameter. Reading
   * `op.length` is a native accessor call (15–70 ns, more than the rest of the call setup), so an
   * op passed again (a named function rather than a fresh closure) skips it.
   */
  private lastOp: unknown = undefined;
  private lastOpObserves = false;
  /** Runner (and call-object pool) for timed calls, created with the first one. */
  private timedCalls: TimedCalls | undefined = undefined;

  constructor(name: string, options?: CircuitBreakerOptions) {
    this.name = validateName(name);
    const opts = resolveCircuitBreakerOptions(options);
    this.m = new StateMachine(this.name, opts);
    this.recorder = new OutcomeRecorder(this.m);
    this.timeout = opts.timeout;
  }

  /** Current state. Open → half-open happens lazily on the next call, so this may read `open` after `resetTimeout`. */
  get state(): CircuitState {
    return this.m.st.kind;
  }

  /** Subscribes to an event; returns an idempotent unsubscribe function. */
  on<K extends keyof CircuitBreakerEvents>(
    event: K,
    listener: (payload: CircuitBreakerEvents[K]) => void,
  ): Unsubscribe {
    if (!EVENT_NAMES.includes(event)) return unknownEvent(event);
    return this.m.events.on(event, listener);
  }

  /**
   * Calls `observer(outcome, durationMs)` for every call the breaker counts ('success',
   * 'failure', 'timeout'), when its outcome is known, with no event object: the cheap way for a
   * metrics package to count and time calls. Returns an idempotent unsubscribe.
   */
  observeCalls(observer: BreakerCallObserver): Unsubscribe {
    return this.m.calls.add(observer, undefined);
  }

  /**
   * Runs `op` through the breaker. Resolves with its value; on failure, timeout or short-circuit
   * resolves with `fallback(reason)` if given, otherwise rejects (BrokenCircuitError,
   * TimeoutError, or the op's error). Errors `isFailure` rejects are rethrown unchanged without
   * the fallback; an abort through `options.signal` rejects with the signal's reason.
   */
  execute<T, R = T>(
    op: Operation<T>,
    fallback?: Fallback<R>,
    options?: ExecuteOptions,
  ): Promise<T | R> {
    if (typeof op !== 'function') return rejectNotFunction('op', op);
    if (fallback !== undefined && typeof fallback !== 'function') {
      return rejectNotFunction('fallback', fallback);
    }
    return this.start(op, undefined, fallback, options) as Promise<T | R>;
  }

  /**
   * {@link execute} for libraries that run many calls through one breaker: `call.run` is the
   * op and `call.fallback` the fallback, and `call.ignored` hears about the errors the breaker
   * does not count before the caller's promise rejects with them. One object per call instead
   * of closures; otherwise exactly `execute(op, fallback, options)`.
   */
  executeCall<T, R = T>(call: BreakerCall<T, R>, options?: ExecuteOptions): Promise<T | R> {
    if (!isBreakerCall(call)) return rejectNotBreakerCall(call);
    const outer = swapPendingCall(call);
    try {
      return this.start(runPendingCall, call, call, options) as Promise<T | R>;
    } finally {
      swapPendingCall(outer);
    }
  }

  /** Admits the call and hands it to the cheapest runner that can honour it. */
  private start(
    op: Operation<unknown>,
    call: BreakerCall<unknown, unknown> | undefined,
    fallback: FallbackTarget<unknown> | undefined,
    options: ExecuteOptions | undefined,
  ): Promise<unknown> {
    let signal: AbortSignal | undefined;
    let limit = this.timeout;
    if (options !== undefined) {
      const bad = executeOptionsError(options);
      if (bad !== null) return Promise.reject(bad);
      signal = options.signal;
      if (signal !== undefined && signal.aborted) return Promise.reject(signal.reason);
      if (options.timeout !== undefined) limit = options.timeout;
    }
    const m = this.m;
    let admission = ADMIT_CLOSED;
    if (m.st.kind !== 'closed') {
      admission = admit(m);
      if (admission === REJECT) return shortCircuit(m, fallback);
      if (admission === ADMIT_TRIAL) {
        const trialLimit = m.opts.halfOpenTimeout;
        if (limit === false || limit > trialLimit) limit = trialLimit;
      }
    }
    const gen = m.st.gen;
    if (limit === false && signal === undefined) {
      return fallback === undefined
        ? passThrough(m, this.recorder, op, gen)
        : runDirect(m, this.recorder, op, fallback, gen);
    }
    const list = (m.deadlines ??= new DeadlineList(m.opts.clock));
    const trial = admission === ADMIT_TRIAL;
    const observes = call !== undefined ? call.observesSignal : this.observes(op);
    if (signal === undefined && !observes) {
      const timed = (this.timedCalls ??= new TimedCalls(this.recorder, list));
      return timed.run(gen, trial, m.now(), limit as number, op, fallback);
    }
    return runGuarded(
      this.recorder,
      list,
      gen,
      trial,
      m.now(),
      limit,
      signal,
      observes,
      op,
      fallback,
    );
  }

  /** Whether `op` takes a signal parameter (`op.length`, read once per distinct op). */
  private observes(op: Operation<unknown>): boolean {
    if (op === this.lastOp) return this.lastOpObserves;
    const observes = op.length > 0;
    this.lastOp = op;
    this.lastOpObserves = observes;
    return observes;
  }

  /** Counts in the current window, state and timing. */
  getStats(): CircuitBreakerStats {
    const m = this.m;
    const w = m.window.expire(m.now());
    const st = m.st;
    return {
      name: this.name,
      state: st.kind,
      failureCount: w.failures,
      successCount: w.calls - w.failures,
      slowCallCount: w.slow,
      failureRate: w.calls === 0 ? 0 : w.failures / w.calls,
      lastFailureTime: m.lastFailureTime,
      lastStateChange: m.lastStateChange,
      nextRetryTime: st.kind === 'open' && st.until !== Infinity ? st.until : null,
      halfOpenInFlight: st.kind === 'half-open' ? st.inFlight : 0,
      forced: m.forced,
    };
  }

  /** Back to closed: window cleared, forcing cleared, backoff attempts reset. In-flight calls are fenced off. */
  reset(): void {
    this.m.reset();
  }

  /** Opens and stays open (rejection reason `forced-open`) until {@link reset}. */
  forceOpen(): void {
    this.m.forceOpen();
  }

  /** Closes and never trips (calls are still counted) until {@link reset}. */
  forceClosed(): void {
    this.m.forceClosed();
  }

  /** A versioned, clock-independent snapshot; restore it with the `initialState` option. */
  toJSON(): CircuitBreakerSnapshot {
    const m = this.m;
    return snapshotOf(m.st, m.forced, m.now());
  }
}

const EVENT_NAMES: readonly (keyof CircuitBreakerEvents)[] = [
  'stateChange',
  'success',
  'failure',
  'timeout',
  'rejected',
  'fallback',
  'ignored',
];

function unknownEvent(event: unknown): never {
  throw new TypeError(
    `Unknown event ${typeof event === 'string' ? `"${event}"` : String(event)} ` +
      `(expected ${EVENT_NAMES.slice(0, -1).join(', ')} or ${EVENT_NAMES.at(-1)})`,
  );
}

// Cold paths, kept out of execute() so that it stays small enough for V8 to inline its callees.
function rejectNotFunction(name: string, v: unknown): Promise<never> {
  return Promise.reject(new TypeError(`${name} must be a function, got ${typeof v}`));
}
