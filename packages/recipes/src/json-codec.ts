/** JSON encoding of stored values: strict on the way in, never throwing on the way out. */
import { RedisCorruptValueError } from '@breakwater/redis-adapter';

/**
 * Encodes a value for storage. Throws a TypeError for what JSON cannot round-trip as a value:
 * `undefined`, functions, symbols, BigInt and cycles (caller bugs, not store errors).
 */
export function encodeJson(where: string, value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new TypeError(`${where}: value is not JSON-serialisable (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (text === undefined) {
    throw new TypeError(`${where}: value must be JSON-serialisable, got ${typeof value}`);
  }
  return text;
}

/** Result of {@link decodeJson}. */
export type DecodeResult<T> = { ok: true; value: T } | { ok: false };

/** Decodes a stored value; anything that is not a string of valid JSON is `{ ok: false }`. */
export function decodeJson<T>(text: unknown): DecodeResult<T> {
  if (typeof text !== 'string') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) as T };
  } catch {
    return { ok: false };
  }
}

/**
 * Decodes a reply inside a Redis operation: `undefined` for a missing key (null), the value, or
 * a thrown `RedisCorruptValueError` (counted by the adapter as fallback reason `corrupt` and
 * reported as `[<operation>] Redis error: corrupt: stored value is not valid JSON`).
 */
export function decodeReply<T>(reply: unknown): { value: T; text: string } | undefined {
  if (reply === null || reply === undefined) return undefined;
  const decoded = decodeJson<T>(reply);
  if (!decoded.ok) throw new RedisCorruptValueError('stored value is not valid JSON');
  return { value: decoded.value, text: reply as string };
}
