/**
 * createSessionStore: sessions whose outage is an answer (`unavailable`, or `unknown` for a
 * write that may still land), never a 404 or a forced logout. Session ids are used as-is in
 * Redis keys (`<prefix><id>`, the connect-redis layout); they are never logged or reported.
 */
import { createKeyValueStore } from './key-value-store.js';
import type { KeyValueStore, KeyValueStoreOptions } from './key-value-store.js';
import type { RecipeAdapter } from '../recipe-adapter.js';

/** Options of {@link createSessionStore}. */
export type SessionStoreOptions = KeyValueStoreOptions;

/** A session store: get / set / touch / delete, each answering a result type. */
export type SessionStore<V = unknown> = KeyValueStore<V>;

/** Creates a session store over `adapter`. Options are validated here (TypeError/RangeError). */
export function createSessionStore<V = unknown>(
  adapter: RecipeAdapter,
  options: SessionStoreOptions,
): SessionStore<V> {
  const core = createKeyValueStore<V>('session-store', adapter, options, (id) => id);
  return {
    get: core.get,
    set: core.set,
    touch: core.touch,
    delete: core.delete,
    stats: core.stats,
    on: core.on,
  };
}
