/**
 * createTokenStore: bearer tokens (API keys, password-reset or e-mail tokens…) with the same
 * result types as the session store, plus take() for one-time tokens. A token is a credential,
 * so it is never stored as a key: the Redis key is `<prefix><base64url(SHA-256(token))>`, and
 * a key listing, MONITOR or slowlog never shows a usable token.
 */
import { createHash } from 'node:crypto';
import { createKeyValueStore } from './key-value-store.js';
import type { KeyValueStore, KeyValueStoreOptions, StoreReadResult } from './key-value-store.js';
import type { RecipeAdapter } from '../recipe-client.js';

/** Options of {@link createTokenStore}. */
export type TokenStoreOptions = KeyValueStoreOptions;

/** A token store. */
export interface TokenStore<V = unknown> extends KeyValueStore<V> {
  /**
   * Get-and-delete in one atomic GETDEL (Redis ≥ 6.2): a one-time token is found by at most
   * one caller. During an outage it answers `unavailable` (or throws with
   * `throwOnWriteFailure`); the token is then still unused.
   */
  take(token: string): Promise<StoreReadResult<V>>;
}

/** The Redis key suffix of a token. */
export function tokenKey(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/** Creates a token store over `adapter`. Options are validated here (TypeError/RangeError). */
export function createTokenStore<V = unknown>(
  adapter: RecipeAdapter,
  options: TokenStoreOptions,
): TokenStore<V> {
  return createKeyValueStore<V>('token-store', adapter, options, tokenKey);
}
