/**
 * BreakwaterThrottlerStorage: a `ThrottlerStorage` for @nestjs/throttler 6 over the recipe rate
 * limiter. The limiter decides (atomically, in one script) and applies its outage policy; this
 * class only maps its answer to the record the ThrottlerGuard reads. One limiter per distinct
 * (throttler, ttl, limit), created on first use.
 */
import { createRateLimiter } from '@breakwater/recipes';
import type {
  RateLimiter,
  RateLimiterOutagePolicy,
  RateLimiterStats,
  RecipeAdapter,
} from '@breakwater/recipes';

/** Options of {@link BreakwaterThrottlerStorage}. */
export interface BreakwaterThrottlerStorageOptions {
  /**
   * What the storage answers while Redis cannot be used: `'open'` lets requests through,
   * `'closed'` blocks them (429 from the guard), `'memory'` counts in this process.
   * Required: every limiter states its outage behaviour.
   */
  onOutage: RateLimiterOutagePolicy;
  /**
   * Name of the limiters: in their Redis keys (`<prefix><name>:<throttler key>`) and `degraded` events.
   * @default 'nestjs-throttler'
   */
  name?: string;
  /**
   * Redis key prefix.
   * @default 'breakwater:rl:'
   */
  prefix?: string;
  /**
   * `'fixed'` window per key from its first hit, or `'sliding'` window counter.
   * @default 'fixed'
   */
  algorithm?: 'fixed' | 'sliding';
  /**
   * Deadline of each Redis call, in milliseconds.
   * @default the adapter's operation timeout
   */
  operationTimeout?: number;
}

/** Defaults of {@link BreakwaterThrottlerStorageOptions}. */
export const DEFAULT_THROTTLER_STORAGE_OPTIONS = {
  name: 'nestjs-throttler',
  prefix: 'breakwater:rl:',
  algorithm: 'fixed',
} as const;

/** The record @nestjs/throttler's guard reads (its `ThrottlerStorageRecord`; times in seconds). */
export interface BreakwaterThrottlerRecord {
  totalHits: number;
  timeToExpire: number;
  isBlocked: boolean;
  timeToBlockExpire: number;
}

const WHERE = 'BreakwaterThrottlerStorage';
const KEYS = new Set(['onOutage', 'name', 'prefix', 'algorithm', 'operationTimeout']);

/**
 * `ThrottlerModule.forRoot({ throttlers, storage: new BreakwaterThrottlerStorage(adapter, { onOutage: 'open' }) })`.
 * Every `increment` settles by the adapter's deadline and never rejects because of Redis.
 * `blockDuration` is not applied: a blocked client is blocked until its window resets.
 */
export class BreakwaterThrottlerStorage {
  private readonly limiters = new Map<string, RateLimiter>();
  private readonly options: BreakwaterThrottlerStorageOptions & { name: string };

  constructor(
    private readonly adapter: RecipeAdapter,
    options: BreakwaterThrottlerStorageOptions,
  ) {
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`${WHERE}: options must be an object`);
    }
    for (const key of Object.keys(options)) {
      if (!KEYS.has(key)) throw new TypeError(`${WHERE}: unknown option ${JSON.stringify(key)}`);
    }
    const d = DEFAULT_THROTTLER_STORAGE_OPTIONS;
    this.options = {
      ...options,
      name: options.name ?? d.name,
      prefix: options.prefix ?? d.prefix,
      algorithm: options.algorithm ?? d.algorithm,
    };
    // The limiter validates every option now (naming the bad one), not on the first request.
    this.limiter('default', 60_000, 1);
  }

  /** Counts one hit for `key` (the guard's hashed key) under the throttler's ttl and limit (ms). */
  async increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration: number,
    throttlerName: string,
  ): Promise<BreakwaterThrottlerRecord> {
    const r = await this.limiter(throttlerName, ttl, limit).consume(key);
    const seconds = Math.max(0, Math.ceil(r.resetMs / 1000));
    return {
      totalHits: r.allowed ? limit - r.remaining : limit + 1,
      timeToExpire: seconds,
      isBlocked: !r.allowed,
      timeToBlockExpire: r.allowed ? 0 : seconds,
    };
  }

  /** Degraded answers of every limiter so far, summed. */
  stats(): Pick<RateLimiterStats, 'degraded'> {
    let degraded = 0;
    for (const l of this.limiters.values()) degraded += l.stats().degraded;
    return { degraded };
  }

  private limiter(throttlerName: string, ttl: number, limit: number): RateLimiter {
    const id = `${throttlerName}\u0000${ttl}\u0000${limit}`;
    let limiter = this.limiters.get(id);
    if (limiter === undefined) {
      const o = this.options;
      limiter = createRateLimiter(this.adapter, {
        name: o.name,
        prefix: o.prefix,
        limit,
        windowMs: ttl,
        algorithm: o.algorithm,
        onOutage: o.onOutage,
        ...(o.operationTimeout === undefined ? {} : { operationTimeout: o.operationTimeout }),
      });
      this.limiters.set(id, limiter);
    }
    return limiter;
  }
}
