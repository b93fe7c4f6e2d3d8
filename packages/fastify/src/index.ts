/** `@breakwater/fastify`: breakwater's Redis adapter as a Fastify 5 plugin. */
export {
  breakwaterFastify,
  DEFAULT_FASTIFY_OPTIONS,
  resolveFastifyOptions,
} from './breakwater-plugin.js';
export type { BreakwaterFastifyAdapter, BreakwaterFastifyOptions } from './breakwater-plugin.js';
export {
  breakwaterRateLimitStore,
  DEFAULT_FASTIFY_RATE_LIMIT_OPTIONS,
} from './rate-limit/index.js';
export type {
  BreakwaterFastifyRateLimitOptions,
  BreakwaterFastifyStore,
  BreakwaterFastifyStoreCtor,
} from './rate-limit/index.js';
