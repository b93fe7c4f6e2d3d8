/**
 * createTokenStore: bearer tokens (API keys, password-reset or e-mail tokens…) with the same
 * result types as the session store, plus take() for one-time tokens. A token is a credential,
 * so it is never stored as a key: the Redis key is `<prefix>{<base64url(SHA-256(token))>}` (the
 * braces are a hash tag: the take receipt `…}:taken` lives in the same Cluster slot), and a key
 * listing, MONITOR or slowlog never shows a usable token.
 */
import { createHash } from 'node:crypto';
import { createKeyValueStore } from './key-value-store.js';
import type {
  KeyValueStore,
  KeyValueStoreOptions,
  StoreReadResult,
  StoreUnknown,
} from './key-value-store.js';
import { decodeReply } from '../json-codec.js';
import { evalScript, luaScript } from '../lua-script.js';
import type { RecipeAdapter } from '../recipe-adapter.js';
import { clockOption, integerOption, MAX_MS } from '../validate-options.js';
import {
  TAKE_SCRIPT,
  UnknownTakes,
  checkAttemptId,
  parseTakeReply,
  receiptKey,
} from './take-receipts.js';

/** Options of {@link createTokenStore}. */
export interface TokenStoreOptions extends KeyValueStoreOptions {
  /**
   * How long a take's receipt is kept, in milliseconds: within it, retrying a take whose outcome
   * was `unknown` with the same attempt id answers the token even if the first attempt was
   * applied late. 0 disables receipts (a late-applied take then makes the retry see `missing`).
   * @default 60000
   */
  takeRetryGraceMs?: number;
  /** Clock of the in-process attempt memory. @default Date */
  clock?: { now(): number };
}

/** Options of one take(). */
export interface TakeOptions {
  /**
   * Identifies this attempt (1-128 characters of `[A-Za-z0-9_.:-]`); pass the `attemptId` of an
   * `unknown` answer to retry it, also from another process. Default: the id of this process'
   * last `unknown` take of the same token within the grace, else a new random id.
   */
  attemptId?: string;
}

/** Answer of take(): as get(), or `unknown` with the attempt id to retry with. */
export type TakeResult<V> = StoreReadResult<V> | (StoreUnknown & { attemptId: string });

/** A token store. */
export interface TokenStore<V = unknown> extends KeyValueStore<V> {
  /**
   * Get-and-delete in one atomic script: a one-time token is found by at most one attempt.
   * `unavailable`: nothing was sent, the token is still unused. `unknown`: the take was sent
   * but not answered in time (it may be applied later): retry it (same process, or pass
   * `attemptId`) within `takeRetryGraceMs` and it answers the truth, never `missing` for a
   * valid token.
   */
  take(token: string, options?: TakeOptions): Promise<TakeResult<V>>;
}

/** Defaults of the token-store-only options. */
export const DEFAULT_TOKEN_STORE_OPTIONS = { takeRetryGraceMs: 60_000 } as const;

const TAKE = luaScript(TAKE_SCRIPT);

/** The Redis key suffix of a token (a hash tag around its SHA-256). */
export function tokenKey(token: string): string {
  return `{${createHash('sha256').update(token, 'utf8').digest('base64url')}}`;
}

/** Creates a token store over `adapter`. Options are validated here (TypeError/RangeError). */
export function createTokenStore<V = unknown>(
  adapter: RecipeAdapter,
  options: TokenStoreOptions,
): TokenStore<V> {
  const core = createKeyValueStore<V>('token-store', adapter, options, tokenKey, [
    'takeRetryGraceMs',
    'clock',
  ]);
  const grace = integerOption(
    'createTokenStore',
    'takeRetryGraceMs',
    options.takeRetryGraceMs ?? DEFAULT_TOKEN_STORE_OPTIONS.takeRetryGraceMs,
    0,
    MAX_MS,
  );
  const clock = clockOption('createTokenStore', options.clock);
  const unknownTakes = new UnknownTakes(grace, clock);

  async function take(token: string, opts?: TakeOptions): Promise<TakeResult<V>> {
    const key = core.keyOf('take', token);
    const given =
      opts?.attemptId === undefined
        ? undefined
        : checkAttemptId('token-store.take', opts.attemptId);
    const attempt = unknownTakes.attemptFor(key, given);
    const attemptId = attempt.attemptId;
    let r;
    try {
      r = await core.runWrite('take', key, async (send) => {
        const text = parseTakeReply(
          await evalScript(send, TAKE, [key, receiptKey(key)], [attemptId, grace]),
        );
        return decodeReply<V>(text === undefined ? null : text);
      });
    } catch (error) {
      const maybeApplied = (error as { maybeApplied?: unknown }).maybeApplied === true;
      unknownTakes.finished(key, attempt, maybeApplied ? 'unknown' : 'unavailable');
      if (maybeApplied) {
        Object.defineProperty(error, 'attemptId', { value: attemptId, enumerable: true });
      }
      throw error;
    }
    if (!('ok' in r)) {
      unknownTakes.finished(key, attempt, r.status);
      return r.status === 'unavailable' ? r : { ...r, attemptId };
    }
    if (r.value === undefined) {
      unknownTakes.finished(key, attempt, 'missing');
      core.count(false);
      return { status: 'missing' };
    }
    unknownTakes.finished(key, attempt, 'found');
    core.count(true);
    return { status: 'found', value: r.value.value };
  }

  return {
    get: core.get,
    set: core.set,
    touch: core.touch,
    delete: core.delete,
    stats: core.stats,
    on: core.on,
    take,
  };
}
