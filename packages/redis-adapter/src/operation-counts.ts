/**
 * Outcome counts of executeRedisOperation kept by the adapter itself, in plain integers per
 * operation name, while at least one counter is open (`countOperations()`): what a metrics
 * package reads at scrape time instead of being called on every operation. Counting a call is
 * one name comparison (most calls repeat the previous name) and one increment.
 */
import type { RedisFallbackReason, RedisOperationResult } from './types.js';

/** Every fallback reason, in a fixed order. */
export const REDIS_FALLBACK_REASONS: readonly RedisFallbackReason[] = [
  'circuit-open',
  'timeout',
  'not-ready',
  'connection',
  'server',
  'auth',
  'tls',
  'unknown',
  'corrupt',
];

/**
 * Most distinct operation names counted one by one; calls under further names are counted as
 * {@link OTHER_OPERATION}. Above any metrics package's own cap (which folds names further).
 */
export const MAX_COUNTED_OPERATIONS = 1000;

/** Where calls under names past {@link MAX_COUNTED_OPERATIONS} (or with no name) are counted. */
export const OTHER_OPERATION = 'other';

/** Outcome counts of one operation name. */
export interface RedisOperationCounts {
  readonly operation: string;
  readonly success: number;
  /** Rejected with the op's (data) error, or the fallback threw. */
  readonly error: number;
  /** Fallbacks by reason; their sum is the operation's fallback count. */
  readonly fallback: Readonly<Record<RedisFallbackReason, number>>;
}

/** An open view of the adapter's counts (see `countOperations()`). */
export interface RedisOperationCounter {
  /**
   * The counts since this counter was opened, one entry per operation name that has been
   * called since, in the order the adapter first counted the names (names never leave the
   * list). Cheap, but allocates: meant for scrape time.
   */
  read(): RedisOperationCounts[];
  /** Closes this counter (idempotent). The adapter stops counting once none is open. */
  close(): void;
  /**
   * How many distinct operation names are counted one by one; calls under further names are
   * counted as `other` ({@link MAX_COUNTED_OPERATIONS}).
   */
  readonly capacity: number;
}

/** The mutable counts of one name (what a call increments). */
export interface OperationCountsRecord {
  readonly operation: string;
  success: number;
  error: number;
  readonly fallback: Record<RedisFallbackReason, number>;
}

function zeroCounts(operation: string): OperationCountsRecord {
  const fallback = {} as Record<RedisFallbackReason, number>;
  for (const r of REDIS_FALLBACK_REASONS) fallback[r] = 0;
  return { operation, success: 0, error: 0, fallback };
}

/** Adds one outcome to `counts` (an unknown reason counts as `unknown`). */
export function countOutcome(
  counts: OperationCountsRecord,
  result: RedisOperationResult,
  reason: RedisFallbackReason | undefined,
): void {
  if (result === 'success') counts.success++;
  else if (result === 'error') counts.error++;
  else {
    const f = counts.fallback;
    if (reason !== undefined && reason in f) f[reason]++;
    else f.unknown++;
  }
}

/** One adapter's table of counts, shared by its open counters. */
export class OperationCountTable {
  readonly byName = new Map<string, OperationCountsRecord>();
  private lastName: unknown = undefined;
  private lastCounts: OperationCountsRecord | undefined = undefined;

  /** The counts `name`'s calls go to. */
  countsOf(name: unknown): OperationCountsRecord {
    if (name === this.lastName && this.lastCounts !== undefined) return this.lastCounts;
    const counts = this.lookUp(name);
    this.lastName = name;
    this.lastCounts = counts;
    return counts;
  }

  private lookUp(name: unknown): OperationCountsRecord {
    const op = typeof name === 'string' && name !== '' ? name : OTHER_OPERATION;
    let counts = this.byName.get(op);
    if (counts !== undefined) return counts;
    if (this.byName.size >= MAX_COUNTED_OPERATIONS && op !== OTHER_OPERATION) {
      return this.lookUp(OTHER_OPERATION);
    }
    counts = zeroCounts(op);
    this.byName.set(op, counts);
    return counts;
  }

  /** A snapshot of every name's counts (a new counter's starting point). */
  snapshot(): Map<string, OperationCountsRecord> {
    const copy = new Map<string, OperationCountsRecord>();
    for (const [name, c] of this.byName) {
      copy.set(name, {
        operation: name,
        success: c.success,
        error: c.error,
        fallback: { ...c.fallback },
      });
    }
    return copy;
  }
}

/**
 * The `countOperations()` of an adapter: `holder.current` is the table while a counter is open
 * (read by every call), `undefined` otherwise.
 */
export class OperationCounting {
  readonly holder: { current: OperationCountTable | undefined } = { current: undefined };
  private open = 0;

  /** Opens a counter that reads the counts since now. */
  counter(): RedisOperationCounter {
    const table = (this.holder.current ??= new OperationCountTable());
    this.open++;
    const base = table.snapshot();
    let closed = false;
    return {
      read: () => (closed ? [] : since(table, base)),
      close: () => {
        if (closed) return;
        closed = true;
        if (--this.open === 0) this.holder.current = undefined;
      },
      capacity: MAX_COUNTED_OPERATIONS,
    };
  }
}

/** The counts of a name the base has not seen: none before the counter opened. */
const NONE_BEFORE = zeroCounts('');

/** The counts of `table` minus `base`, for every name with a call since `base` was taken. */
function since(
  table: OperationCountTable,
  base: Map<string, OperationCountsRecord>,
): RedisOperationCounts[] {
  const out: RedisOperationCounts[] = [];
  for (const [name, c] of table.byName) {
    const b = base.get(name) ?? NONE_BEFORE;
    const fallback = {} as Record<RedisFallbackReason, number>;
    let any = c.success !== b.success || c.error !== b.error;
    for (const r of REDIS_FALLBACK_REASONS) {
      fallback[r] = c.fallback[r] - b.fallback[r];
      if (fallback[r] !== 0) any = true;
    }
    // A name shows once it is called after this counter opened (and from then on: counts only
    // grow); one counted only before is left out.
    if (!any) continue;
    out.push({
      operation: name,
      success: c.success - b.success,
      error: c.error - b.error,
      fallback,
    });
  }
  return out;
}
