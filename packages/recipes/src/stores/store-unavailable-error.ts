/**
 * The one error class of the stores: a write could not be completed. It has a `name`, supports
 * `cause`, carries a brand (a `Symbol.for` key, so the guard works across duplicate copies of
 * the package) and has a type guard.
 */

import type { RedisFailureKind } from '@breakwater/redis-adapter';

const STORE_UNAVAILABLE = Symbol.for('breakwater.recipes.StoreUnavailableError');

/**
 * A session or token store write (`set`, `touch`, `delete`, `take`) could not be completed and
 * the store was created with `throwOnWriteFailure: true`. The message names the store and the
 * operation, never the key or the value.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  /**
   * True when the write was sent and not answered in time: it may have been applied, or may
   * still be (the `unknown` outcome). False: nothing was written.
   */
  readonly maybeApplied: boolean;
  /** On a take whose outcome is unknown: the attempt id to retry it with. */
  declare readonly attemptId?: string;

  constructor(
    /** `<store>.<operation>`, e.g. `session-store.set`. */
    readonly operation: string,
    /** Why Redis could not be used: a RedisFailureKind, or `data` for a data error. */
    readonly reason: RedisFailureKind | 'data',
    options?: { cause?: unknown; maybeApplied?: boolean },
  ) {
    super(
      `[${operation}] store ${options?.maybeApplied === true ? 'outcome unknown' : 'unavailable'}: ${reason}`,
      options,
    );
    this.maybeApplied = options?.maybeApplied ?? false;
    // Non-enumerable, so it shows up neither in logs nor in JSON.
    Object.defineProperty(this, STORE_UNAVAILABLE, { value: true, enumerable: false });
  }
}

/** True for a {@link StoreUnavailableError} from any copy of this package. */
export function isStoreUnavailableError(e: unknown): e is StoreUnavailableError {
  return (
    typeof e === 'object' &&
    e !== null &&
    (e as Record<symbol, unknown>)[STORE_UNAVAILABLE] === true
  );
}
