/** How option validators show an offending value in an error message. */

/**
 * A short, safe description of `v`: strings JSON-quoted, numbers/booleans/null/undefined as
 * themselves, and "a function" / "an array" / "an object" instead of source code or
 * `[object Object]` (which could also leak the contents of a config object into a log).
 */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'object' && v !== null) return Array.isArray(v) ? 'an array' : 'an object';
  return String(v);
}
