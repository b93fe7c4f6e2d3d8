/**
 * Error classes of the fail-open recipes (to be merged into the package's errors.ts).
 * Each has a `name`, a `cause`, and a brand so that its guard works across duplicate
 * copies of the package.
 */
import type { RecipeFailureReason } from './recipe-client.js';

const STORE_UNAVAILABLE = Symbol.for('breakwater.redis-adapter.StoreUnavailableError');

/**
 * A session or token store write (`set`, `touch`, `delete`, `take`) could not reach Redis and
 * the store was created with `throwOnWriteFailure: true`. The message names the store and the
 * operation, never the key or the value.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  readonly [STORE_UNAVAILABLE] = true;

  constructor(
    /** `<store>.<operation>`, e.g. `session-store.set`. */
    readonly operation: string,
    /** Why Redis could not be used. */
    readonly reason: RecipeFailureReason,
    options?: { cause?: unknown },
  ) {
    super(`[${operation}] store unavailable: ${reason}`, options);
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
