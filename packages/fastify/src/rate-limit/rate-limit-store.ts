/**
 * breakwaterRateLimitStore: a `store` for @fastify/rate-limit 10 and 11 over the recipe limiter.
 *
 * @fastify/rate-limit constructs its store itself (`new Store(globalParams)`), calls
 * `incr(key, callback, timeWindow, max)` per request and compares `current` with `max`; each
 * route with its own `config.rateLimit` gets `store.child(routeOptions)`. Since 11.1,
 * `fastify.createRateLimit()(req, { increment: false })` calls `read` (same arguments), which
 * must not count. This file only adapts
 * that shape: the counting and the outage policy are `BreakwaterRateLimitStore` from
 * `@breakwater/recipes/express-rate-limit` (the recipe limiter run as a counter), one per
 * distinct time window. No second implementation of the outage logic lives here.
 */
import type { RecipeAdapter } from '@breakwater/recipes';
import { BreakwaterRateLimitStore } from '@breakwater/recipes/express-rate-limit';
import type { BreakwaterRateLimitStoreOptions } from '@breakwater/recipes/express-rate-limit';

/** Options of {@link breakwaterRateLimitStore}: those of the recipe store, per route. */
export type BreakwaterFastifyRateLimitOptions = BreakwaterRateLimitStoreOptions;

/** Defaults of {@link BreakwaterFastifyRateLimitOptions} that differ from the recipe store's. */
export const DEFAULT_FASTIFY_RATE_LIMIT_OPTIONS = { name: 'fastify-rate-limit' } as const;

/** The result @fastify/rate-limit expects from `incr`. */
export interface FastifyRateLimitResult {
  current: number;
  ttl: number;
}

/** The store shape @fastify/rate-limit calls (its `FastifyRateLimitStore`). */
export interface BreakwaterFastifyStore {
  incr(
    key: string,
    callback: (error: Error | null, result?: FastifyRateLimitResult) => void,
    timeWindow?: number,
    max?: number,
  ): void;
  /**
   * What is counted for `key`, without counting (@fastify/rate-limit 11.1+, for
   * `createRateLimit()(req, { increment: false })`): `{ current: 0, ttl: 0 }` when nothing is,
   * and while Redis cannot be used (the next `incr` applies the outage policy).
   */
  read(
    key: string,
    callback: (error: Error | null, result?: FastifyRateLimitResult) => void,
    timeWindow?: number,
    max?: number,
  ): void;
  child(routeOptions: object): BreakwaterFastifyStore;
  /** The recipe stores behind this one (one per time window), for stats and `degraded` events. */
  readonly stores: ReadonlyMap<number, BreakwaterRateLimitStore>;
}

/** What @fastify/rate-limit passes to the constructor and to `child` (the fields read here). */
interface RouteParams {
  continueExceeding?: unknown;
  exponentialBackoff?: unknown;
  routeInfo?: { method?: unknown; url?: unknown };
}

/** A store constructor for @fastify/rate-limit's `store` option. */
export type BreakwaterFastifyStoreCtor = new (params: object) => BreakwaterFastifyStore;

const WHERE = 'breakwaterRateLimitStore';
const DEFAULT_WINDOW_MS = 60_000;

function assertSupported(params: RouteParams): void {
  for (const key of ['continueExceeding', 'exponentialBackoff'] as const) {
    if (params[key] === true) {
      throw new TypeError(`${WHERE}: @fastify/rate-limit option ${key}: true is not supported`);
    }
  }
}

const asError = (error: unknown): Error =>
  error instanceof Error ? error : new Error(String(error));

/**
 * Returns the constructor to pass as @fastify/rate-limit's `store`. Every `incr` settles by the
 * adapter's deadline with a count, or with the outage policy's answer (`onOutage`): `'open'`
 * lets the request through, `'closed'` answers 429, `'memory'` counts in this process. It never
 * calls back an error because of Redis, so no request gets a 500 from the rate limiter.
 */
export function breakwaterRateLimitStore(
  adapter: RecipeAdapter,
  options: BreakwaterFastifyRateLimitOptions,
): BreakwaterFastifyStoreCtor {
  const base: BreakwaterRateLimitStoreOptions = {
    ...options,
    name: options.name ?? DEFAULT_FASTIFY_RATE_LIMIT_OPTIONS.name,
  };
  // Validates every option now, naming the bad one, before Fastify starts.
  new BreakwaterRateLimitStore(adapter, base);

  class Store implements BreakwaterFastifyStore {
    readonly stores = new Map<number, BreakwaterRateLimitStore>();
    private readonly name: string;

    constructor(params: object, name = base.name as string) {
      assertSupported(params as RouteParams);
      this.name = name;
    }

    /** The recipe store of one time window (created on first use). */
    private storeFor(timeWindow: number): BreakwaterRateLimitStore {
      let store = this.stores.get(timeWindow);
      if (store === undefined) {
        store = new BreakwaterRateLimitStore(adapter, { ...base, name: this.name });
        // A per-request limit (a function): the recipe store then answers "over the limit" as
        // Number.MAX_SAFE_INTEGER hits, mapped below to this request's max + 1.
        store.init({ windowMs: timeWindow, limit: () => 0 } as never);
        this.stores.set(timeWindow, store);
      }
      return store;
    }

    incr(
      key: string,
      callback: (error: Error | null, result?: FastifyRateLimitResult) => void,
      timeWindow: number = DEFAULT_WINDOW_MS,
      max?: number,
    ): void {
      this.storeFor(timeWindow)
        .increment(key)
        .then(
          (info) => {
            const ttl = Math.max(0, (info.resetTime?.getTime() ?? Date.now()) - Date.now());
            // 'closed' (or memoryLimit reached): over this request's max, shown as max + 1.
            const current =
              max !== undefined && info.totalHits === Number.MAX_SAFE_INTEGER
                ? max + 1
                : info.totalHits;
            callback(null, { current, ttl });
          },
          (error: unknown) => callback(asError(error)),
        );
    }

    read(
      key: string,
      callback: (error: Error | null, result?: FastifyRateLimitResult) => void,
      timeWindow: number = DEFAULT_WINDOW_MS,
    ): void {
      this.storeFor(timeWindow)
        .get(key)
        .then(
          (info) => {
            if (info === undefined) return callback(null, { current: 0, ttl: 0 });
            const ttl = Math.max(0, (info.resetTime?.getTime() ?? Date.now()) - Date.now());
            callback(null, { current: info.totalHits, ttl });
          },
          (error: unknown) => callback(asError(error)),
        );
    }

    child(routeOptions: object): BreakwaterFastifyStore {
      const info = (routeOptions as RouteParams).routeInfo ?? {};
      const route = `${String(info.method ?? '')}${String(info.url ?? '')}`;
      return new Store(routeOptions, route === '' ? this.name : `${this.name}:${route}`);
    }
  }
  return Store;
}
