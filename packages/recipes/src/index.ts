/** Fail-open recipes on top of the adapter: cache, rate limiter, session store, token store. */
export { createCache } from './cache/cache.js';
export type { Cache, CacheInvalidationEvent, CacheStats } from './cache/cache.js';
export { DEFAULT_CACHE_OPTIONS } from './cache/cache-options.js';
export type { CacheL1Options, CacheOptions } from './cache/cache-options.js';
export type { BulkDeleteResult } from './cache/scan-delete.js';

export { createRateLimiter } from './rate-limit/rate-limiter.js';
export type { RateLimiter, RateLimitResult, RateLimiterStats } from './rate-limit/rate-limiter.js';
export type { LimiterUsage } from './rate-limit/limiter-admin-scripts.js';
export { DEFAULT_RATE_LIMITER_OPTIONS } from './rate-limit/rate-limiter-options.js';
export type {
  RateLimiterOptions,
  RateLimiterOutagePolicy,
} from './rate-limit/rate-limiter-options.js';

export { createSessionStore } from './stores/session-store.js';
export type { SessionStore, SessionStoreOptions } from './stores/session-store.js';
export { createTokenStore, DEFAULT_TOKEN_STORE_OPTIONS } from './stores/token-store.js';
export type {
  TakeOptions,
  TakeResult,
  TokenStore,
  TokenStoreOptions,
} from './stores/token-store.js';
export { DEFAULT_STORE_OPTIONS } from './stores/key-value-store.js';
export type {
  KeyValueStore,
  KeyValueStoreOptions,
  KeyValueStoreStats,
  StoreDeleteResult,
  StoreReadResult,
  StoreTouchResult,
  StoreUnavailable,
  StoreUnknown,
  StoreWriteResult,
} from './stores/key-value-store.js';

export {
  StoreUnavailableError,
  isStoreUnavailableError,
} from './stores/store-unavailable-error.js';
export type {
  DegradationReason,
  DegradationStats,
  DegradedEvent,
  RecipeKind,
} from './degradation-reporter.js';
export type { RecipeFailureReason } from './recipe-client.js';
export type {
  ClusterCommandClient,
  IoredisClusterCommandClient,
  ClusterRecipeAdapter,
  RecipeAdapter,
  RecipeCommandOptions,
  SentinelCommandClient,
  SentinelRecipeAdapter,
  SingleServerCommandClient,
  SingleServerRecipeAdapter,
} from './recipe-adapter.js';
export { managedAdapterFrom } from './managed-adapter.js';
export type { AdapterOrRedisOptions, ManagedRedisAdapter } from './managed-adapter.js';
