/**
 * BreakwaterSessionStore: an express-session 1.19 `Store` over the recipe session store.
 *
 * While Redis cannot be used, `get` answers from a bounded in-process copy of the sessions this
 * process read or wrote recently (so active users stay signed in), and otherwise by the
 * documented policy: `'error'` (a StoreUnavailableError: the app's error handler answers 503,
 * "try again", never a logout) or `'anonymous'` (no session: express-session starts a new one
 * under a NEW id, so the stored session is never overwritten by an empty one). Writes that
 * cannot reach Redis call back without an error (the request is not turned into a 500) and keep
 * the newest state in the in-process copy.
 */
import { Store } from 'express-session';
import type { SessionData } from 'express-session';
import { LruCache } from '../cache/lru-cache.js';
import { KeyFence } from '../key-fence.js';
import type { DegradedEvent } from '../degradation-reporter.js';
import type { RecipeAdapter } from '../recipe-adapter.js';
import type { Unsubscribe } from '../recipe-emitter.js';
import { createSessionStore } from '../stores/session-store.js';
import type { SessionStore } from '../stores/session-store.js';
import type { KeyValueStoreStats } from '../stores/key-value-store.js';
import { StoreUnavailableError } from '../stores/store-unavailable-error.js';
import {
  assertOptionsObject,
  enumOption,
  integerOption,
  MAX_MS,
  operationTimeoutOption,
  stringOption,
} from '../validate-options.js';

/** Options of {@link BreakwaterSessionStore}. */
export interface BreakwaterSessionStoreOptions {
  /**
   * Redis key prefix (`<prefix><sid>`, the connect-redis layout).
   * @default 'sess:'
   */
  prefix?: string;
  /**
   * TTL of sessions whose cookie has no maxAge, in ms.
   * @default 86400000 (1 day)
   */
  ttlMs?: number;
  /**
   * What `get` answers when Redis cannot be used and the session is not in the in-process copy:
   * `'error'` calls back with a StoreUnavailableError (answer 503 in your error handler);
   * `'anonymous'` answers "no session" (express-session starts a new one under a new id).
   * @default 'error'
   */
  onUnavailable?: 'error' | 'anonymous';
  /**
   * Most sessions kept in the in-process copy (least recently used evicted); 0 turns it off.
   * @default 10000
   */
  localCopyMaxEntries?: number;
  /**
   * Longest a session is served from the in-process copy after this process last read or wrote
   * it, in ms (never longer than the session's own TTL).
   * @default 300000 (5 minutes)
   */
  localCopyTtlMs?: number;
  /**
   * Deadline of each Redis call, in ms.
   * @default the adapter's operation timeout
   */
  operationTimeout?: number;
}

/** Defaults of {@link BreakwaterSessionStoreOptions}. */
export const DEFAULT_SESSION_STORE_OPTIONS = {
  prefix: 'sess:',
  ttlMs: 86_400_000,
  onUnavailable: 'error',
  localCopyMaxEntries: 10_000,
  localCopyTtlMs: 300_000,
} as const;

const WHERE = 'BreakwaterSessionStore';
const KEYS = [
  'prefix',
  'ttlMs',
  'onUnavailable',
  'localCopyMaxEntries',
  'localCopyTtlMs',
  'operationTimeout',
];

type Callback<T = void> = (err?: unknown, value?: T) => void;

/** An express-session store that never hangs and never turns an outage into a logout. */
export class BreakwaterSessionStore extends Store {
  private readonly sessions: SessionStore<SessionData>;
  private readonly copy: LruCache<string> | undefined;
  /** Sessions set or destroyed since a GET or touch began (see key-fence.ts). */
  private readonly fence = new KeyFence();
  private readonly onUnavailable: 'error' | 'anonymous';
  private readonly ttlMs: number;
  private readonly localHits = { served: 0 };

  constructor(adapter: RecipeAdapter, options: BreakwaterSessionStoreOptions = {}) {
    super();
    assertOptionsObject(WHERE, options, KEYS);
    const d = DEFAULT_SESSION_STORE_OPTIONS;
    this.ttlMs = integerOption(WHERE, 'ttlMs', options.ttlMs ?? d.ttlMs, 1, MAX_MS);
    this.onUnavailable = enumOption(
      WHERE,
      'onUnavailable',
      options.onUnavailable ?? d.onUnavailable,
      ['error', 'anonymous'],
    );
    const maxEntries = integerOption(
      WHERE,
      'localCopyMaxEntries',
      options.localCopyMaxEntries ?? d.localCopyMaxEntries,
      0,
    );
    const copyTtl = integerOption(
      WHERE,
      'localCopyTtlMs',
      options.localCopyTtlMs ?? d.localCopyTtlMs,
      1,
      MAX_MS,
    );
    const timeout = operationTimeoutOption(WHERE, options.operationTimeout);
    this.copy =
      maxEntries === 0 ? undefined : new LruCache({ maxEntries, ttlMs: copyTtl, clock: Date });
    this.sessions = createSessionStore<SessionData>(adapter, {
      prefix: stringOption(WHERE, 'prefix', options.prefix ?? d.prefix),
      ttlMs: this.ttlMs,
      ...(timeout === undefined ? {} : { operationTimeout: timeout }),
    });
  }

  override get(sid: string, callback: Callback<SessionData | null>): void {
    // A set or destroy of this session while the GET is out makes its answer older than the
    // copy: it then updates the copy neither way (a destroyed session never comes back).
    const token = this.fence.begin();
    void this.sessions.get(sid).then((r) => {
      const current = this.fence.unchangedSince(sid, token);
      if (r.status === 'found') {
        if (current) this.remember(sid, r.value);
        return callback(null, r.value);
      }
      if (r.status === 'missing') {
        // Gone from Redis: drop the copy too, unless this session was set meanwhile.
        if (!this.fence.touchedSince(sid, token)) this.copy?.delete(sid);
        return callback(null, null);
      }
      const copy = this.copy?.get(sid);
      if (copy !== undefined) {
        this.localHits.served += 1;
        return callback(null, JSON.parse(copy) as SessionData);
      }
      if (this.onUnavailable === 'anonymous') return callback(null, null);
      callback(new StoreUnavailableError('session-store.get', r.reason));
    });
  }

  override set(sid: string, session: SessionData, callback?: Callback): void {
    this.fence.touch(sid);
    this.remember(sid, session);
    // Not written (outage): the in-process copy keeps the newest state; no 500 for the request.
    void this.sessions.set(sid, session, this.ttlOf(session)).then(() => callback?.());
  }

  /**
   * Extends the TTL in the background and calls back at once: express-session holds the
   * response until touch calls back, and a late TTL extension is harmless, so an outage never
   * adds a second deadline to a request that only read its session.
   *
   * The local copy is left as it is: `session` is what the request loaded, possibly before a
   * destroy or a newer set by another request, so writing it into the copy could bring a
   * signed-out session back (gets keep the copy fresh). When Redis says the session no longer
   * exists, the copy is dropped, unless the session was set meanwhile.
   */
  override touch(sid: string, session: SessionData, callback?: Callback): void {
    const token = this.fence.begin();
    void this.sessions.touch(sid, this.ttlOf(session)).then((r) => {
      if (r.status === 'missing' && !this.fence.touchedSince(sid, token)) this.copy?.delete(sid);
    });
    if (callback !== undefined) setImmediate(callback);
  }

  override destroy(sid: string, callback?: Callback): void {
    this.fence.touch(sid);
    this.copy?.delete(sid);
    void this.sessions.delete(sid).then((r) => {
      // A sign-out that did not reach Redis is said so: the session still exists there.
      if (r.status === 'ok') callback?.();
      else callback?.(new StoreUnavailableError('session-store.delete', r.reason));
    });
  }

  /** The recipe store's counters, plus `servedFromLocalCopy`. */
  stats(): KeyValueStoreStats & { servedFromLocalCopy: number } {
    return { ...this.sessions.stats(), servedFromLocalCopy: this.localHits.served };
  }

  /** One event per answer given from the outage contract. */
  onDegraded(listener: (e: DegradedEvent) => void): Unsubscribe {
    return this.sessions.on('degraded', listener);
  }

  private remember(sid: string, session: SessionData): void {
    this.copy?.set(sid, JSON.stringify(session), Math.min(this.ttlOf(session), MAX_MS));
  }

  private ttlOf(session: SessionData): number {
    const maxAge = session.cookie?.maxAge;
    return typeof maxAge === 'number' && maxAge > 0 ? Math.ceil(maxAge) : this.ttlMs;
  }
}
