/** `@breakwater/recipes/keyv`: a Keyv 5 storage adapter over the recipe cache. */
export { BreakwaterKeyvStore, DEFAULT_KEYV_STORE_OPTIONS } from './keyv-store.js';
export type { BreakwaterKeyvStoreOptions } from './keyv-store.js';
