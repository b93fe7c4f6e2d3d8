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

/** The attempt id a take uses, and whether it holds the remembered one. */
export interface TakeAttempt {
  readonly attemptId: string;
  /** The remembered id of an earlier unknown take, held by this take alone until it ends. */
  readonly leased: boolean;
}

/** How a take ended, for {@link UnknownTakes.finished}. */
export type TakeOutcome = 'found' | 'missing' | 'unknown' | 'unavailable';

/**
 * In-process memory of takes whose outcome was unknown, so that `take(token)` retried in this
 * process reuses the attempt id without the caller passing it.
 *
 * - One take at a time holds a remembered id (a lease); takes started meanwhile get fresh ids,
 *   so two concurrent retries can never both be answered `found` from the same receipt.
 * - The id is kept until a take of its token gets a definite answer: `found` (any attempt: the
 *   token is answered) or `missing` for that very id. A retry that did not reach Redis
 *   (`unavailable`) keeps it (a new user's report, 2026-12-07: such a retry forgot the id and
 *   the next one answered `missing` for a token whose value the caller never got). A `missing`
 *   for another id keeps it too: the remembered attempt may be the one that took the token.
 * - Its grace counts from the first unknown answer; an unknown answer for another attempt while
 *   one is remembered does not replace it (that caller has its own id in the answer).
 */
export class UnknownTakes {
  private readonly byKey = new Map<string, { attemptId: string; until: number; leased: boolean }>();

  constructor(
    private readonly graceMs: number,
    private readonly clock: { now(): number },
  ) {}

  /** The attempt to use: the caller's id, the remembered one (leased), or a new one. */
  attemptFor(key: string, given: string | undefined): TakeAttempt {
    let r = this.byKey.get(key);
    if (r !== undefined && r.until <= this.clock.now()) {
      this.byKey.delete(key);
      r = undefined;
    }
    if (given !== undefined) return { attemptId: given, leased: false };
    if (r !== undefined && !r.leased) {
      r.leased = true;
      return { attemptId: r.attemptId, leased: true };
    }
    return { attemptId: randomUUID(), leased: false };
  }

  /** Records how the take that used `attempt` ended. */
  finished(key: string, attempt: TakeAttempt, outcome: TakeOutcome): void {
    const r = this.byKey.get(key);
    const same = r !== undefined && r.attemptId === attempt.attemptId;
    if (same && attempt.leased) r.leased = false;
    if (outcome === 'found' || (outcome === 'missing' && same)) {
      this.byKey.delete(key);
      return;
    }
    if (outcome !== 'unknown' || r !== undefined || this.graceMs === 0) return;
    if (this.byKey.size >= MAX_REMEMBERED) {
      const oldest = this.byKey.keys().next();
      if (oldest.done !== true) this.byKey.delete(oldest.value);
    }
    this.byKey.set(key, {
      attemptId: attempt.attemptId,
      until: this.clock.now() + this.graceMs,
      leased: false,
    });
  }
}
