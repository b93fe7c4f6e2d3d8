/**
 * `@breakwater/recipes/keyv`: Keyv storage adapters over the recipe cache, for Keyv 5
 * (`BreakwaterKeyvStore`) and Keyv 6 (`BreakwaterKeyv6Store`, Node >= 22.19).
 */
export { BreakwaterKeyvStore, DEFAULT_KEYV_STORE_OPTIONS } from './keyv-store.js';
export type { BreakwaterKeyvStoreOptions } from './keyv-store.js';
export { BreakwaterKeyv6Store } from './keyv6-store.js';
export type { Keyv6StorageCapability, Keyv6StorageEntry } from './keyv6-store.js';
