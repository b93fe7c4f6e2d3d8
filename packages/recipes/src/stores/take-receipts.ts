/**
 * Makes a one-time token's take() safely retryable. Each take runs one script that deletes the
 * token and, in the same slot (hash tag), stores a receipt `<attemptId>\n<value>` for
 * `takeRetryGraceMs`. A take whose outcome was unknown (sent, then the deadline passed: a frozen
 * server may apply it later) is retried with the same attempt id; if the first attempt was
 * applied meanwhile, the receipt answers `found` instead of `missing`. A different attempt (any
 * other caller) still gets `missing`: the token is found by at most one attempt.
 */
import { randomUUID } from 'node:crypto';

/** KEYS[1] = token key, KEYS[2] = receipt key; ARGV = attemptId, graceMs. */
export const TAKE_SCRIPT = `
local v = redis.call('GET', KEYS[1])
if v then
  redis.call('DEL', KEYS[1])
  local grace = tonumber(ARGV[2])
  if grace > 0 then redis.call('SET', KEYS[2], ARGV[1] .. '\\n' .. v, 'PX', grace) end
  return {1, v}
end
local r = redis.call('GET', KEYS[2])
if r then
  local i = string.find(r, '\\n', 1, true)
  if i and string.sub(r, 1, i - 1) == ARGV[1] then return {2, string.sub(r, i + 1)} end
end
return {0}
`;

/** Decodes the script's reply: the stored text, or undefined when the token is missing. */
export function parseTakeReply(reply: unknown): string | undefined {
  if (Array.isArray(reply) && reply.length === 1 && reply[0] === 0) return undefined;
  if (Array.isArray(reply) && reply.length === 2 && typeof reply[1] === 'string') return reply[1];
  throw new TypeError('unexpected take script reply');
}

/** The receipt key of a token key: same hash tag, so the script's two keys share a slot. */
export function receiptKey(tokenKey: string): string {
  return `${tokenKey}:taken`;
}

/** Attempt ids must survive the receipt's `<id>\n<value>` layout. */
const ATTEMPT_ID = /^[\w.:-]{1,128}$/;

/** Throws a TypeError/RangeError unless `id` is 1-128 characters of `[A-Za-z0-9_.:-]`. */
export function checkAttemptId(where: string, id: unknown): string {
  if (typeof id !== 'string') throw new TypeError(`${where}: attemptId must be a string`);
  if (!ATTEMPT_ID.test(id)) {
    throw new RangeError(`${where}: attemptId must be 1-128 characters of [A-Za-z0-9_.:-]`);
  }
  return id;
}

/** Most unknown-outcome takes remembered per store (oldest dropped first). */
const MAX_REMEMBERED = 10_000;

/**
 * In-process memory of takes whose outcome was unknown, so that `take(token)` retried in this
 * process reuses the attempt id without the caller passing it. An entry lives until a take of
 * its token gets a definite answer (`found` or `missing`: {@link settled}) or its grace ends:
 * a retry that did not reach Redis (`unavailable`) keeps it, since the first attempt may still
 * have been applied (a new user's report, 2026-12-07: such a retry forgot the id, and the next
 * one answered `missing` for a token whose value the caller never got).
 */
export class UnknownTakes {
  private readonly byKey = new Map<string, { attemptId: string; until: number }>();

  constructor(
    private readonly graceMs: number,
    private readonly clock: { now(): number },
  ) {}

  /** The attempt id to use: the caller's, a remembered one, or a new one. */
  attemptFor(key: string, given: string | undefined): string {
    const remembered = this.byKey.get(key);
    if (remembered !== undefined && remembered.until <= this.clock.now()) {
      this.byKey.delete(key);
      return given ?? randomUUID();
    }
    return given ?? remembered?.attemptId ?? randomUUID();
  }

  /** A take of `key` got a definite answer (`found` / `missing`): nothing left to retry. */
  settled(key: string): void {
    this.byKey.delete(key);
  }

  /** `attemptId`'s outcome is unknown: later takes of `key` reuse it within the grace. */
  remember(key: string, attemptId: string): void {
    if (this.graceMs === 0) return;
    const existing = this.byKey.get(key);
    // The same attempt unknown again: its grace still counts from the first time.
    if (existing !== undefined && existing.attemptId === attemptId) return;
    this.byKey.delete(key);
    if (this.byKey.size >= MAX_REMEMBERED) {
      const oldest = this.byKey.keys().next();
      if (oldest.done !== true) this.byKey.delete(oldest.value);
    }
    this.byKey.set(key, { attemptId, until: this.clock.now() + this.graceMs });
  }
}
