/** Option validation shared by the recipe factories: fail at construction, name the option. */

/** Throws a TypeError unless `options` is a plain object holding only `allowed` keys. */
export function assertOptionsObject(
  where: string,
  options: unknown,
  allowed: readonly string[],
): asserts options is Record<string, unknown> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${where}: options must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new TypeError(`${where}: unknown option "${key}" (allowed: ${allowed.join(', ')})`);
    }
  }
}

/** An integer in [min, max]; throws a TypeError/RangeError naming the option otherwise. */
export function integerOption(
  where: string,
  name: string,
  value: unknown,
  min: number,
  max: number = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value !== 'number') {
    throw new TypeError(`${where}: ${name} must be a number, got ${describe(value)}`);
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${where}: ${name} must be an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

/** A non-empty string without control characters. */
export function stringOption(where: string, name: string, value: unknown): string {
  if (typeof value !== 'string') {
    throw new TypeError(`${where}: ${name} must be a string, got ${describe(value)}`);
  }
  // eslint-disable-next-line no-control-regex
  if (value.length === 0 || value.length > 256 || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new RangeError(
      `${where}: ${name} must be 1-256 printable characters, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** One of `choices`. */
export function enumOption<T extends string>(
  where: string,
  name: string,
  value: unknown,
  choices: readonly T[],
): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new RangeError(
      `${where}: ${name} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${describe(value)}`,
    );
  }
  return value as T;
}

/** A boolean. */
export function booleanOption(where: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new TypeError(`${where}: ${name} must be a boolean, got ${describe(value)}`);
  }
  return value;
}

/** Largest duration a timer accepts, in ms (2^31 - 1): the cap of every ms option. */
export const MAX_MS = 2 ** 31 - 1;

/** The optional `operationTimeout` (ms, integer in [1, MAX_MS]); undefined: the adapter's. */
export function operationTimeoutOption(where: string, value: unknown): number | undefined {
  return value === undefined
    ? undefined
    : integerOption(where, 'operationTimeout', value, 1, MAX_MS);
}

/** A `{ now(): number }` clock; undefined: `Date`. */
export function clockOption(where: string, value: unknown): { now(): number } {
  if (value === undefined) return Date;
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof (value as { now?: unknown }).now !== 'function'
  ) {
    throw new TypeError(`${where}: clock must be an object with a now() method`);
  }
  return value as { now(): number };
}

/** The adapter argument: anything with executeRedisOperation, on and connectionState. */
export function assertAdapter(where: string, adapter: unknown): void {
  const a = adapter as { executeRedisOperation?: unknown; on?: unknown } | null;
  if (
    typeof a !== 'object' ||
    a === null ||
    typeof a.executeRedisOperation !== 'function' ||
    typeof a.on !== 'function'
  ) {
    throw new TypeError(`${where}: adapter must be a RedisAdapter, got ${describe(adapter)}`);
  }
}

/** Per-call argument checks (keys, TTLs, costs): TypeError/RangeError naming the argument. */
export function assertKey(where: string, key: unknown): asserts key is string {
  if (typeof key !== 'string') {
    throw new TypeError(`${where}: key must be a string, got ${describe(key)}`);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}
