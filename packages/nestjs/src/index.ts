/** `@breakwater/nestjs`: breakwater's Redis adapter as a NestJS module. */
export {
  BreakwaterModule,
  BreakwaterLifecycle,
  DEFAULT_MODULE_OPTIONS,
  resolveModuleOptions,
} from './breakwater-module.js';
export type {
  BreakwaterModuleOptions,
  BreakwaterModuleAsyncOptions,
  BreakwaterNestAdapter,
} from './breakwater-module.js';
export { BREAKWATER_ADAPTER } from './tokens.js';
export { BreakwaterHealthIndicator } from './breakwater-health-indicator.js';
export type {
  BreakwaterHealthCheckOptions,
  BreakwaterHealthResult,
} from './breakwater-health-indicator.js';
export {
  BreakwaterThrottlerStorage,
  DEFAULT_THROTTLER_STORAGE_OPTIONS,
} from './breakwater-throttler-storage.js';
export type {
  BreakwaterThrottlerRecord,
  BreakwaterThrottlerStorageOptions,
} from './breakwater-throttler-storage.js';
