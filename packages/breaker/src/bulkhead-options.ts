/** Options of {@link Bulkhead}: the interface, its defaults and their one-time validation. */
import { systemClock } from './clock.js';
import { checkOptionKeys, clockOf, count, durationOrFalse } from './option-checks.js';
import { validateName } from './options.js';
import type { Clock } from './types.js';

/** Options of `new Bulkhead(options)`. Every field is optional; see `DEFAULT_BULKHEAD_OPTIONS`. */
export interface BulkheadOptions {
  /**
   * Name used in errors, events and metric labels (1–200 characters).
   * @default 'bulkhead'
   */
  name?: string;
  /**
   * Most calls running at once, an integer >= 1.
   * @default 10
   */
  maxConcurrent?: number;
  /**
   * Most calls waiting for a slot, an integer >= 0. A call that finds every slot and every
   * queue place taken is rejected at once (`BulkheadRejectedError`, reason `full`).
   * @default 0
   */
  maxQueued?: number;
  /**
   * Longest a call waits in the queue, in milliseconds, or `false` to wait until a slot frees
   * up. A call still queued then is rejected (reason `queue-timeout`) and leaves the queue.
   * @default 1000
   */
  queueTimeout?: number | false;
  /** Time source for queue deadlines. @default the system clock */
  clock?: Clock;
}

/** The defaults applied to every option the caller leaves out. */
export const DEFAULT_BULKHEAD_OPTIONS = Object.freeze({
  name: 'bulkhead',
  maxConcurrent: 10,
  maxQueued: 0,
  queueTimeout: 1000,
} as const);

/** {@link BulkheadOptions} after defaults and validation. */
export interface ResolvedBulkheadOptions {
  readonly name: string;
  readonly maxConcurrent: number;
  readonly maxQueued: number;
  readonly queueTimeout: number | false;
  readonly clock: Clock;
}

const KNOWN_KEYS = new Set(['name', 'maxConcurrent', 'maxQueued', 'queueTimeout', 'clock']);

/**
 * Applies the defaults and validates every option once; throws a TypeError / RangeError naming
 * the option and the value. Never mutates `opts`.
 */
export function resolveBulkheadOptions(opts: BulkheadOptions = {}): ResolvedBulkheadOptions {
  checkOptionKeys('bulkhead', opts, KNOWN_KEYS);
  const o = opts as Record<string, unknown>;
  const d = DEFAULT_BULKHEAD_OPTIONS as Record<string, unknown>;
  // Only `undefined` takes the default: `null` is rejected by the check.
  const val = (key: string): unknown => (o[key] === undefined ? d[key] : o[key]);
  return Object.freeze({
    name: validateName(val('name')),
    maxConcurrent: count('maxConcurrent', val('maxConcurrent'), 1),
    maxQueued: count('maxQueued', val('maxQueued'), 0),
    queueTimeout: durationOrFalse('queueTimeout', val('queueTimeout')),
    clock: opts.clock === undefined ? systemClock : clockOf(opts.clock),
  });
}
