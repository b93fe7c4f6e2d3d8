/**
 * The option checks every primitive of this package validates its options with: each throws a
 * TypeError (wrong type) or RangeError (out of range) naming the option and showing the value.
 */
import { describeValue } from './describe-value.js';
import type { Clock } from './types.js';

const show = describeValue;

/** A number that is not NaN. */
export function number(name: string, v: unknown): number {
  if (typeof v !== 'number') throw new TypeError(`${name} must be a number, got ${show(v)}`);
  if (Number.isNaN(v)) throw new RangeError(`${name} must be a number, got NaN`);
  return v;
}

/** A finite number of milliseconds >= 0 (or > 0 when `positive`). */
export function duration(name: string, v: unknown, positive = false): number {
  const n = number(name, v);
  if (!Number.isFinite(n) || n < 0 || (positive && n === 0)) {
    const range = positive ? '> 0' : '>= 0';
    throw new RangeError(
      `${name} must be a finite number of milliseconds ${range}, got ${show(v)}`,
    );
  }
  return n;
}

/** A safe integer in [min, max]. */
export function count(
  name: string,
  v: unknown,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const n = number(name, v);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new RangeError(`${name} must be an integer ${range}, got ${show(v)}`);
  }
  return n;
}

/** A number in [0, 1]. */
export function ratio(name: string, v: unknown): number {
  const n = number(name, v);
  if (n < 0 || n > 1) throw new RangeError(`${name} must be a number in [0, 1], got ${show(v)}`);
  return n;
}

/** `false`, or a finite number of milliseconds > 0. */
export function durationOrFalse(name: string, v: unknown): number | false {
  if (v === false) return false;
  if (typeof v !== 'number') {
    throw new TypeError(`${name} must be a number of milliseconds or false, got ${show(v)}`);
  }
  return duration(name, v, true);
}

/** An object with `now`, `setTimeout` and `clearTimeout`. */
export function clockOf(v: unknown): Clock {
  const c = v as Clock;
  if (
    typeof v !== 'object' ||
    v === null ||
    typeof c.now !== 'function' ||
    typeof c.setTimeout !== 'function' ||
    typeof c.clearTimeout !== 'function'
  ) {
    throw new TypeError(
      `clock must be an object with now, setTimeout and clearTimeout, got ${show(v)}`,
    );
  }
  return c;
}

/**
 * Throws unless `opts` is a plain object (or undefined) whose keys are all in `known`; `what`
 * names the options in the message ("Unknown bulkhead option \"maxQueue\"").
 */
export function checkOptionKeys(what: string, opts: unknown, known: ReadonlySet<string>): void {
  if (opts === undefined) return;
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) {
    throw new TypeError(`${what} options must be an object, got ${show(opts)}`);
  }
  for (const key of Object.keys(opts)) {
    if (!known.has(key)) throw new TypeError(`Unknown ${what} option ${show(key)}`);
  }
}
