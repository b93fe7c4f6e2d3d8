/**
 * The error a recipe throws inside its Redis operation when a stored value is not valid JSON, so
 * the adapter counts it (`redis_operations_total{result="error"}`) and its one reporter logs it
 * (`[cache.get] Redis error: data: stored value is not valid JSON`). The recipe then answers
 * from its contract (a miss, `missing`); the caller never sees this error.
 */
const CORRUPT_VALUE = Symbol.for('breakwater.recipes.CorruptValueError');

/** A stored value could not be decoded. Never carries the key or the value. */
export class CorruptValueError extends Error {
  override readonly name = 'CorruptValueError';

  constructor() {
    super('stored value is not valid JSON');
    Object.defineProperty(this, CORRUPT_VALUE, { value: true, enumerable: false });
  }
}

/** True for a {@link CorruptValueError} from any copy of this package. */
export function isCorruptValueError(e: unknown): e is CorruptValueError {
  return (
    typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[CORRUPT_VALUE] === true
  );
}
