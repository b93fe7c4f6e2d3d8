/**
 * A retry budget (Finagle's RetryBudget, gRPC retry throttling, Envoy's retry budgets): retries
 * are capped at a share of recent requests, so that retrying cannot multiply the load on a
 * dependency that is already failing. Over any `window`:
 *
 *   retries <= minRetriesPerSecond × window / 1000 + retryRatio × requests
 *
 * It is a token bucket whose tokens are deposited by requests (`retryRatio` each), withdrawn by
 * retries (one each), topped by a constant reserve, and forgotten once they leave the window.
 * The counts live in the breaker's lazily rotated sliding window: no timer, O(1) per call.
 */
import { cachedSystemNow, systemClock } from './clock.js';
import { Emitter } from './emitter.js';
import { checkOptionKeys, clockOf, duration, number } from './option-checks.js';
import { validateName } from './options.js';
import { SlidingWindow } from './sliding-window.js';
import { describeValue } from './describe-value.js';
import type { Clock, Unsubscribe } from './types.js';

/** Options of `new RetryBudget(options)`. Every field is optional; see `DEFAULT_RETRY_BUDGET_OPTIONS`. */
export interface RetryBudgetOptions {
  /**
   * Name used in events and metric labels (1–200 characters).
   * @default 'retry-budget'
   */
  name?: string;
  /**
   * Retries allowed per request in the window, a number in [0, 10]: `0.2` allows one retry for
   * every five requests. A request is a first execution, not a retry.
   * @default 0.2
   */
  retryRatio?: number;
  /**
   * Retries allowed per second whatever the traffic (the reserve, so that a low-traffic caller
   * can still retry), a number >= 0. The reserve is `minRetriesPerSecond × window / 1000`.
   * @default 10
   */
  minRetriesPerSecond?: number;
  /**
   * How long requests and retries count, in milliseconds (> 0).
   * @default 10000
   */
  window?: number;
  /** Time source. @default the system clock */
  clock?: Clock;
}

/** The defaults applied to every option the caller leaves out. */
export const DEFAULT_RETRY_BUDGET_OPTIONS = Object.freeze({
  name: 'retry-budget',
  retryRatio: 0.2,
  minRetriesPerSecond: 10,
  window: 10_000,
} as const);

/** Most a `retryRatio` may be: ten retries per request is no budget at all. */
export const MAX_RETRY_RATIO = 10;

/** Buckets of the budget's window (its granularity: a tenth of `window`). */
const BUCKETS = 10;

const KNOWN_KEYS = new Set(['name', 'retryRatio', 'minRetriesPerSecond', 'window', 'clock']);

/** Totals since the budget was created (for metrics) and the retries available now. */
export interface RetryBudgetStats {
  name: string;
  /** Requests recorded (first executions). */
  requests: number;
  /** Retries the budget allowed. */
  retriesAllowed: number;
  /** Retries the budget refused. */
  retriesRefused: number;
  /** Whole retries the budget would allow right now. */
  available: number;
}

/** The typed events of a retry budget. */
export interface RetryBudgetEvents {
  /** A retry was refused: the caller gives up with its last error. */
  refused: { name: string };
}

const EVENT_NAMES: readonly (keyof RetryBudgetEvents)[] = ['refused'];

/** A token-bucket retry budget shared by every `retry()` (and adapter) that should respect it. */
export class RetryBudget {
  readonly name: string;
  readonly retryRatio: number;
  readonly minRetriesPerSecond: number;
  readonly window: number;
  /** Constant tokens always available: `minRetriesPerSecond × window / 1000`. */
  private readonly reserve: number;
  private readonly now: () => number;
  /** `calls` = requests + retries, `failures` = retries, inside the window. */
  private readonly counts: SlidingWindow;
  private readonly events = new Emitter<RetryBudgetEvents>();
  private requests = 0;
  private allowed = 0;
  private refused = 0;

  constructor(options: RetryBudgetOptions = {}) {
    checkOptionKeys('retry budget', options, KNOWN_KEYS);
    const o = options as Record<string, unknown>;
    const d = DEFAULT_RETRY_BUDGET_OPTIONS as Record<string, unknown>;
    const val = (key: string): unknown => (o[key] === undefined ? d[key] : o[key]);
    this.name = validateName(val('name'));
    this.retryRatio = bounded('retryRatio', val('retryRatio'), MAX_RETRY_RATIO);
    this.minRetriesPerSecond = bounded('minRetriesPerSecond', val('minRetriesPerSecond'), 1e9);
    this.window = duration('window', val('window'), true);
    const clock = options.clock === undefined ? systemClock : clockOf(options.clock);
    this.now = clock === systemClock ? cachedSystemNow : () => clock.now();
    this.reserve = (this.minRetriesPerSecond * this.window) / 1000;
    this.counts = new SlidingWindow(this.window, BUCKETS);
  }

  /** Records a request (a first execution): deposits `retryRatio` tokens. */
  recordRequest(): void {
    this.counts.record(this.now(), false, false);
    this.requests++;
  }

  /** Withdraws one token for a retry; false (and a `refused` event) when the budget is spent. */
  tryRetry(): boolean {
    const now = this.now();
    if (this.tokens(now) >= 1) {
      this.counts.record(now, true, false);
      this.allowed++;
      return true;
    }
    this.refused++;
    if (this.events.has('refused')) this.events.emit('refused', { name: this.name });
    return false;
  }

  /** Totals since creation and the whole retries available now. */
  getStats(): RetryBudgetStats {
    return {
      name: this.name,
      requests: this.requests,
      retriesAllowed: this.allowed,
      retriesRefused: this.refused,
      available: Math.max(0, Math.floor(this.tokens(this.now()))),
    };
  }

  /** Subscribes to an event; returns an idempotent unsubscribe function. */
  on<K extends keyof RetryBudgetEvents>(
    event: K,
    listener: (payload: RetryBudgetEvents[K]) => void,
  ): Unsubscribe {
    if (!EVENT_NAMES.includes(event)) {
      throw new TypeError(
        `Unknown retry budget event ${describeValue(event)} (expected ${EVENT_NAMES.join(', ')})`,
      );
    }
    return this.events.on(event, listener);
  }

  /** Tokens in the bucket at `now` (1e-9 absorbs the rounding of `retryRatio × requests`). */
  private tokens(now: number): number {
    const w = this.counts.expire(now);
    const retries = w.failures;
    return this.reserve + this.retryRatio * (w.calls - retries) - retries + 1e-9;
  }
}

/** A number in [0, max]. */
function bounded(name: string, v: unknown, max: number): number {
  const n = number(name, v);
  if (n < 0 || n > max) {
    throw new RangeError(`${name} must be a number in [0, ${max}], got ${describeValue(v)}`);
  }
  return n;
}

/** True for a {@link RetryBudget} (or anything with the same two methods). */
export function isRetryBudget(v: unknown): v is RetryBudget {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as RetryBudget).recordRequest === 'function' &&
    typeof (v as RetryBudget).tryRetry === 'function'
  );
}
