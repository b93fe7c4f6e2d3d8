/** `@breakwater/recipes/express-rate-limit`: an express-rate-limit 8 Store over the recipe limiter. */
export { BreakwaterRateLimitStore, DEFAULT_RATE_LIMIT_STORE_OPTIONS } from './rate-limit-store.js';
export type { BreakwaterRateLimitStoreOptions } from './rate-limit-store.js';
