/** `@breakwater/fastify/rate-limit`: a @fastify/rate-limit store over the recipe limiter. */
export {
  breakwaterRateLimitStore,
  DEFAULT_FASTIFY_RATE_LIMIT_OPTIONS,
} from './rate-limit-store.js';
export type {
  BreakwaterFastifyRateLimitOptions,
  BreakwaterFastifyStore,
  BreakwaterFastifyStoreCtor,
  FastifyRateLimitResult,
} from './rate-limit-store.js';
