/** Fail-open recipes on top of the adapter: cache, rate limiter, session store, token store. */
export { createCache } from './cache.js';
export type { Cache, CacheInvalidationEvent, CacheStats } from './cache.js';
export { DEFAULT_CACHE_OPTIONS } from './cache-options.js';
export type { CacheL1Options, CacheOptions } from './cache-options.js';
export type { BulkDeleteResult } from './scan-delete.js';

export { createRateLimiter } from './rate-limiter.js';
export type { RateLimiter, RateLimitResult, RateLimiterStats } from './rate-limiter.js';
export { DEFAULT_RATE_LIMITER_OPTIONS } from './rate-limiter-options.js';
export type { RateLimiterOptions, RateLimiterOutagePolicy } from './rate-limiter-options.js';

export { createSessionStore } from './session-store.js';
export type { SessionStore, SessionStoreOptions } from './session-store.js';
export { createTokenStore } from './token-store.js';
export type { TokenStore, TokenStoreOptions } from './token-store.js';
export { DEFAULT_STORE_OPTIONS } from './key-value-store.js';
export type {
  KeyValueStore,
  KeyValueStoreOptions,
  KeyValueStoreStats,
  StoreDeleteResult,
  StoreReadResult,
  StoreTouchResult,
  StoreUnavailable,
  StoreWriteResult,
} from './key-value-store.js';

export { StoreUnavailableError, isStoreUnavailableError } from '../errors.js';
export type {
  DegradationReason,
  DegradationStats,
  DegradedEvent,
  RecipeKind,
} from './degradation-reporter.js';
export type { RecipeAdapter, RecipeFailureReason, RecipeRedisClient } from './recipe-client.js';
