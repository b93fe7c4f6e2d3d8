/** `@breakwater/recipes/express-session`: an express-session store over the recipe session store. */
export { BreakwaterSessionStore, DEFAULT_SESSION_STORE_OPTIONS } from './session-store.js';
export type { BreakwaterSessionStoreOptions } from './session-store.js';
