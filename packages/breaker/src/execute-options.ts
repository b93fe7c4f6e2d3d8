/**
 * Validation of the per-call {@link ExecuteOptions} of `execute`. Cold path: only calls that
 * pass options pay for it, and a bad value becomes a rejected promise (execute never throws).
 */
import { describeValue } from './describe-value.js';
import type { ExecuteOptions } from './types.js';

/** A valid per-call timeout, or null. */
function checkCallTimeout(v: unknown): number | false | null {
  if (v === false) return false;
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null;
}

/** True for an AbortSignal (or anything shaped like one). */
export const isAbortSignal = (s: unknown): boolean =>
  typeof s === 'object' &&
  s !== null &&
  typeof (s as AbortSignal).aborted === 'boolean' &&
  typeof (s as AbortSignal).addEventListener === 'function' &&
  typeof (s as AbortSignal).removeEventListener === 'function';

/**
 * The error `execute` rejects with for malformed `options` (not an object, an unknown key, a
 * signal that is not an AbortSignal, a bad timeout), or null when they are fine. Keys whose value
 * is `undefined` are accepted: callers often forward optional fields.
 */
export function executeOptionsError(options: ExecuteOptions): TypeError | RangeError | null {
  if (typeof options !== 'object' || options === null) {
    return new TypeError(`execute options must be an object, got ${describeValue(options)}`);
  }
  for (const key in options) {
    if (key !== 'signal' && key !== 'timeout') {
      return new TypeError(`Unknown execute option "${key}"`);
    }
  }
  const { signal, timeout } = options;
  if (signal !== undefined && !isAbortSignal(signal)) {
    return new TypeError(`signal must be an AbortSignal, got ${describeValue(signal)}`);
  }
  if (timeout !== undefined && checkCallTimeout(timeout) === null) {
    return new RangeError(
      `timeout must be a finite number of milliseconds > 0 or false, got ${String(timeout)}`,
    );
  }
  return null;
}
