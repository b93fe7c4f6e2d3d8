/**
 * A bulkhead: at most `maxConcurrent` calls run at once, at most `maxQueued` wait for a slot
 * (FIFO, each for at most `queueTimeout` ms), every other call is turned away at once. Admission
 * and release are O(1): a counter, and an intrusive doubly linked queue whose entries leave in
 * O(1) on abort or timeout. Queue deadlines share the breaker's deadline list (one timer per
 * bulkhead, armed only while calls are queued with a timeout).
 */
import {
  NEVER_ABORTED,
  isThenable,
  newDeferred,
  type Fallback,
  type Operation,
} from './call-support.js';
import { DeadlineList } from './deadline-list.js';
import { Emitter } from './emitter.js';
import { BulkheadRejectedError, type BulkheadRejectionReason } from './errors.js';
import { isAbortSignal } from './execute-options.js';
import { resolveBulkheadOptions, type BulkheadOptions } from './bulkhead-options.js';
import { describeValue } from './describe-value.js';
import { QueuedCall, type LeaveReason } from './queued-call.js';
import type { Clock, Unsubscribe } from './types.js';

/** Per-call options of `bulkhead.execute`. */
export interface BulkheadExecuteOptions {
  /** The caller's signal: passed to the op; an abort while queued leaves the queue at once. */
  signal?: AbortSignal;
}

/** The typed events of a bulkhead; the metrics package is built on these. */
export interface BulkheadEvents {
  /** A call was turned away (`full`) or waited too long (`queue-timeout`). */
  rejected: { name: string; reason: BulkheadRejectionReason };
  /** A call found every slot taken and joined the queue (`queued`: the queue length after it). */
  queued: { name: string; queued: number };
  /** A queued call got a slot after waiting `waitedMs`. */
  dequeued: { name: string; waitedMs: number };
  /** A queued call left the queue because its caller aborted. */
  abandoned: { name: string; waitedMs: number };
}

const EVENT_NAMES: readonly (keyof BulkheadEvents)[] = [
  'rejected',
  'queued',
  'dequeued',
  'abandoned',
];

/** A concurrency limit with a bounded queue. See the package README ("Bulkhead"). */
export class Bulkhead {
  readonly name: string;
  readonly maxConcurrent: number;
  readonly maxQueued: number;
  readonly queueTimeout: number | false;
  private readonly clock: Clock;
  private readonly events = new Emitter<BulkheadEvents>();
  private inFlight = 0;
  private waiting = 0;
  /** The queue (created with the first queued call). */
  private queue: DeadlineList | null = null;
  /** True while `drain` runs: a release inside it only decrements, the loop admits. */
  private draining = false;
  /** The `full` error shared by the fallbacks of rejected calls (created on first use). */
  private fullError: BulkheadRejectedError | null = null;
  /** A queued call leaves without a slot: its queue timeout passed, or its caller aborted. */
  private readonly leave = (call: QueuedCall, why: LeaveReason): void => {
    if (!call.linked && why === 'abort') return; // already started or expired
    this.queue!.remove(call);
    this.waiting--;
    call.detach();
    const waitedMs = this.clock.now() - call.enqueuedAt;
    if (why === 'abort') {
      if (this.events.has('abandoned')) {
        this.events.emit('abandoned', { name: this.name, waitedMs });
      }
      call.reject(call.signal!.reason);
      return;
    }
    const error = this.rejection('queue-timeout');
    if (call.fallback === undefined) {
      call.reject(error);
      return;
    }
    try {
      call.resolve(call.fallback(error));
    } catch (fallbackError) {
      call.reject(fallbackError);
    }
  };
  private readonly release = (): void => {
    this.inFlight--;
    if (this.waiting !== 0 && !this.draining) this.drain();
  };

  constructor(options?: BulkheadOptions) {
    const o = resolveBulkheadOptions(options);
    this.name = o.name;
    this.maxConcurrent = o.maxConcurrent;
    this.maxQueued = o.maxQueued;
    this.queueTimeout = o.queueTimeout;
    this.clock = o.clock;
  }

  /** Calls running now (holding a slot). */
  get running(): number {
    return this.inFlight;
  }

  /** Calls waiting in the queue now. */
  get queued(): number {
    return this.waiting;
  }

  /** Subscribes to an event; returns an idempotent unsubscribe function. */
  on<K extends keyof BulkheadEvents>(
    event: K,
    listener: (payload: BulkheadEvents[K]) => void,
  ): Unsubscribe {
    if (!EVENT_NAMES.includes(event)) {
      throw new TypeError(
        `Unknown bulkhead event ${describeValue(event)} (expected ${EVENT_NAMES.join(', ')})`,
      );
    }
    return this.events.on(event, listener);
  }

  /**
   * Runs `op` in a slot: at once if one is free and nobody is queued, otherwise after waiting
   * in the queue. Settles as `op` does. A call turned away (`full`, `queue-timeout`) resolves
   * with `fallback(BulkheadRejectedError)` if given, otherwise rejects with that error; the
   * fallback is used for nothing else. An abort of `options.signal` while queued rejects with
   * `signal.reason` at once; once running, the op receives the signal and decides.
   */
  execute<T, R = T>(
    op: Operation<T>,
    fallback?: Fallback<R>,
    options?: BulkheadExecuteOptions,
  ): Promise<T | R> {
    if (typeof op !== 'function') return rejectBadArgument('op must be a function', op);
    if (fallback !== undefined && typeof fallback !== 'function') {
      return rejectBadArgument('fallback must be a function', fallback);
    }
    let signal: AbortSignal | undefined;
    if (options !== undefined) {
      const bad = optionsError(options);
      if (bad !== null) return Promise.reject(bad);
      signal = options.signal;
      if (signal !== undefined && signal.aborted) return Promise.reject(signal.reason);
    }
    if (this.inFlight < this.maxConcurrent && this.waiting === 0) return this.start(op, signal);
    if (this.waiting < this.maxQueued) {
      return this.enqueue(op, fallback, signal) as Promise<T | R>;
    }
    return this.turnAway(fallback);
  }

  /** Takes a slot and runs `op`; the slot is released when its result settles. */
  private start<T>(op: Operation<T>, signal: AbortSignal | undefined): Promise<T> {
    this.inFlight++;
    let result: T | PromiseLike<T>;
    try {
      result = op(signal ?? NEVER_ABORTED);
    } catch (error) {
      this.release();
      return Promise.reject(error);
    }
    if (!isThenable(result)) {
      this.release();
      return Promise.resolve(result);
    }
    const p = result instanceof Promise ? (result as Promise<T>) : Promise.resolve(result);
    // Attached first, so the slot is free before the caller's own reaction runs.
    p.then(this.release, this.release);
    return p;
  }

  private enqueue(
    op: Operation<unknown>,
    fallback: Fallback<unknown> | undefined,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    const queue = (this.queue ??= new DeadlineList(this.clock));
    const now = this.clock.now();
    const call = new QueuedCall(op, fallback, signal, now, this.queueTimeout, this.leave);
    const promise = newDeferred(call);
    queue.insert(call);
    this.waiting++;
    if (this.events.has('queued')) {
      this.events.emit('queued', { name: this.name, queued: this.waiting });
    }
    return promise;
  }

  /** Starts queued calls, oldest first, while slots are free. Iterative: sync ops cannot recurse. */
  private drain(): void {
    const queue = this.queue!;
    this.draining = true;
    try {
      while (this.inFlight < this.maxConcurrent) {
        const call = queue.first as QueuedCall | null;
        if (call === null) break;
        queue.remove(call);
        this.waiting--;
        call.detach();
        call.resolve(this.start(call.op, call.signal));
        // After the start: a listener that calls execute() sees the slot taken.
        if (this.events.has('dequeued')) {
          this.events.emit('dequeued', {
            name: this.name,
            waitedMs: this.clock.now() - call.enqueuedAt,
          });
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private rejection(reason: BulkheadRejectionReason): BulkheadRejectedError {
    if (this.events.has('rejected')) this.events.emit('rejected', { name: this.name, reason });
    return new BulkheadRejectedError(this.name, reason, this.maxConcurrent, this.maxQueued);
  }

  /** Settles a call turned away because everything is taken. */
  private turnAway<R>(fallback: Fallback<R> | undefined): Promise<R> {
    if (fallback === undefined) return Promise.reject(this.rejection('full'));
    if (this.events.has('rejected')) {
      this.events.emit('rejected', { name: this.name, reason: 'full' });
    }
    const error = (this.fullError ??= new BulkheadRejectedError(
      this.name,
      'full',
      this.maxConcurrent,
      this.maxQueued,
    ));
    try {
      return Promise.resolve(fallback(error));
    } catch (fallbackError) {
      return Promise.reject(fallbackError);
    }
  }
}

function optionsError(options: BulkheadExecuteOptions): TypeError | null {
  if (typeof options !== 'object' || options === null) {
    return new TypeError(`execute options must be an object, got ${describeValue(options)}`);
  }
  for (const key in options) {
    if (key !== 'signal') return new TypeError(`Unknown bulkhead execute option "${key}"`);
  }
  const signal = options.signal;
  if (signal !== undefined && !isAbortSignal(signal)) {
    return new TypeError(`signal must be an AbortSignal, got ${describeValue(signal)}`);
  }
  return null;
}

function rejectBadArgument(message: string, v: unknown): Promise<never> {
  return Promise.reject(new TypeError(`${message}, got ${typeof v}`));
}
