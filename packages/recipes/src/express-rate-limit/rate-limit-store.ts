/**
 * BreakwaterRateLimitStore: an express-rate-limit 8 `Store` over the recipe rate limiter.
 *
 * express-rate-limit counts every hit in the store and compares the count with its own `limit`
 * (a number or a per-request function), and it gives a hit back with `decrement` (for
 * skipSuccessfulRequests / skipFailedRequests, including the 429 it answered itself). So the
 * store runs the recipe limiter as a pure counter (its limit is Number.MAX_SAFE_INTEGER: every
 * hit is counted, atomically, in one script) and leaves the verdict to the middleware. The
 * outage policy is the limiter's: `open` answers 1 hit, `closed` answers "over the limit",
 * `memory` counts in process (compared with `memoryLimit` when set, else with the middleware's
 * limit).
 */
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import type { DegradedEvent } from '../degradation-reporter.js';
import type { RecipeAdapter } from '../recipe-adapter.js';
import { RecipeEmitter } from '../recipe-emitter.js';
import type { Unsubscribe } from '../recipe-emitter.js';
import { createRateLimiter } from '../rate-limit/rate-limiter.js';
import type { RateLimiter, RateLimiterStats } from '../rate-limit/rate-limiter.js';
import type { RateLimiterOutagePolicy } from '../rate-limit/rate-limiter-options.js';
import {
  assertAdapter,
  assertOptionsObject,
  clockOption,
  enumOption,
  integerOption,
  operationTimeoutOption,
  stringOption,
} from '../validate-options.js';

/** Options of {@link BreakwaterRateLimitStore}. */
export interface BreakwaterRateLimitStoreOptions {
  /**
   * What the store answers while Redis cannot be used: `'open'` lets requests through (1 hit),
   * `'closed'` rejects them (429 from the middleware), `'memory'` counts in this process.
   * Required: every limiter states its outage behaviour.
   */
  onOutage: RateLimiterOutagePolicy;
  /**
   * `'memory'` only: hits per window and key allowed by this process while Redis is down.
   * With N processes, `Math.ceil(limit / N)` keeps the total near `limit`.
   * @default the middleware's `limit`, applied to this process' count
   */
  memoryLimit?: number;
  /**
   * `'memory'` only: most keys counted in process (oldest forgotten beyond it).
   * @default 10000
   */
  memoryMaxKeys?: number;
  /**
   * `'fixed'`: a window per key starting at its first hit (express-rate-limit's own model).
   * `'sliding'`: sliding-window counter (the count is a weighted estimate).
   * @default 'fixed'
   */
  algorithm?: 'fixed' | 'sliding';
  /**
   * Name of the limiter: in its Redis keys and its `degraded` events. Give each middleware
   * its own name.
   * @default 'express-rate-limit'
   */
  name?: string;
  /**
   * Redis key prefix; keys are `<prefix><name>:<key>`.
   * @default 'breakwater:rl:'
   */
  prefix?: string;
  /**
   * Deadline of each Redis call, in milliseconds.
   * @default the adapter's operation timeout
   */
  operationTimeout?: number;
  /**
   * Time source of the in-process counter and of `resetTime`.
   * @default Date
   */
  clock?: { now(): number };
}

/** Defaults of {@link BreakwaterRateLimitStoreOptions}. */
export const DEFAULT_RATE_LIMIT_STORE_OPTIONS = {
  algorithm: 'fixed',
  name: 'express-rate-limit',
  prefix: 'breakwater:rl:',
  memoryMaxKeys: 10_000,
} as const;

const WHERE = 'BreakwaterRateLimitStore';
const KEYS = [
  'onOutage',
  'memoryLimit',
  'memoryMaxKeys',
  'algorithm',
  'name',
  'prefix',
  'operationTimeout',
  'clock',
];
/** The counter never denies: express-rate-limit compares the count with its limit. */
const COUNT_ONLY = Number.MAX_SAFE_INTEGER;
/** Window used until init() passes the middleware's windowMs (express-rate-limit's default). */
const DEFAULT_WINDOW_MS = 60_000;

/**
 * An express-rate-limit `Store` that never hangs and never rejects because of Redis: every
 * call settles by the adapter's deadline, with the count or the outage policy's answer.
 */
export class BreakwaterRateLimitStore implements Store {
  /** Keys are shared by every process using the same Redis (express-rate-limit's check). */
  readonly localKeys = false;
  /** `<prefix><name>:`, what express-rate-limit uses to tell two stores' keys apart. */
  readonly prefix: string;
  private readonly emitter = new RecipeEmitter<{ degraded: DegradedEvent }>();
  private readonly options: Required<
    Omit<BreakwaterRateLimitStoreOptions, 'memoryLimit' | 'operationTimeout'>
  > & { memoryLimit: number | undefined; operationTimeout: number | undefined };
  private limiter: RateLimiter;
  private unsubscribe: Unsubscribe;
  /** Hits reported for a request that must be rejected (the middleware's limit + 1). */
  private overLimit = COUNT_ONLY;

  constructor(
    private readonly adapter: RecipeAdapter,
    options: BreakwaterRateLimitStoreOptions,
  ) {
    assertAdapter(WHERE, adapter);
    assertOptionsObject(WHERE, options, KEYS);
    const d = DEFAULT_RATE_LIMIT_STORE_OPTIONS;
    const onOutage = enumOption(WHERE, 'onOutage', options.onOutage, ['open', 'closed', 'memory']);
    for (const key of ['memoryLimit', 'memoryMaxKeys'] as const) {
      if (options[key] !== undefined && onOutage !== 'memory') {
        throw new TypeError(
          `${WHERE}: ${key} only applies with onOutage 'memory', got onOutage '${onOutage}'`,
        );
      }
    }
    this.options = {
      onOutage,
      memoryLimit:
        options.memoryLimit === undefined
          ? undefined
          : integerOption(WHERE, 'memoryLimit', options.memoryLimit, 1),
      memoryMaxKeys: integerOption(
        WHERE,
        'memoryMaxKeys',
        options.memoryMaxKeys ?? d.memoryMaxKeys,
        1,
      ),
      algorithm: enumOption(WHERE, 'algorithm', options.algorithm ?? d.algorithm, [
        'fixed',
        'sliding',
      ]),
      name: stringOption(WHERE, 'name', options.name ?? d.name),
      prefix: stringOption(WHERE, 'prefix', options.prefix ?? d.prefix),
      operationTimeout: operationTimeoutOption(WHERE, options.operationTimeout),
      clock: clockOption(WHERE, options.clock),
    };
    this.prefix = `${this.options.prefix}${this.options.name}:`;
    [this.limiter, this.unsubscribe] = this.createLimiter(DEFAULT_WINDOW_MS);
  }

  /** Called once by express-rate-limit with its options: takes the window and the limit. */
  init(options: Options): void {
    const windowMs = integerOption(`${WHERE}.init`, 'windowMs', options.windowMs, 1, 2 ** 31 - 1);
    this.overLimit = typeof options.limit === 'number' ? options.limit + 1 : COUNT_ONLY;
    this.unsubscribe();
    [this.limiter, this.unsubscribe] = this.createLimiter(windowMs);
  }

  /** Counts one hit; while Redis is down, the outage policy's count. Never rejects for Redis. */
  async increment(key: string): Promise<ClientRateLimitInfo> {
    const r = await this.limiter.consume(key);
    const resetTime = new Date(this.options.clock.now() + r.resetMs);
    if (!r.allowed) return { totalHits: this.overLimit, resetTime };
    const used = COUNT_ONLY - r.remaining;
    if (r.degraded && this.options.onOutage === 'open') return { totalHits: 1, resetTime };
    const { memoryLimit } = this.options;
    if (r.degraded && memoryLimit !== undefined && used > memoryLimit) {
      return { totalHits: Math.max(this.overLimit, used), resetTime };
    }
    return { totalHits: used, resetTime };
  }

  /** Gives one hit back (skipSuccessfulRequests / skipFailedRequests). */
  async decrement(key: string): Promise<void> {
    await this.limiter.refund(key, 1);
  }

  /** Forgets a client's hits (`limiter.resetKey(key)`). */
  async resetKey(key: string): Promise<void> {
    await this.limiter.reset(key);
  }

  /** A client's hits and reset time (`limiter.getKey(key)`); undefined when none or Redis is down. */
  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const usage = await this.limiter.peek(key);
    if (usage === undefined) return undefined;
    return {
      totalHits: usage.used,
      resetTime: new Date(this.options.clock.now() + usage.resetMs),
    };
  }

  /** Degraded answers (`consume`, `refund`, `reset`, `peek`) since init. */
  stats(): RateLimiterStats {
    return this.limiter.stats();
  }

  /** One event per answer given from the outage policy. */
  on(event: 'degraded', listener: (e: DegradedEvent) => void): Unsubscribe {
    if (event !== 'degraded') {
      throw new TypeError(`${WHERE}.on: unknown event ${JSON.stringify(event)}`);
    }
    return this.emitter.on('degraded', listener);
  }

  private createLimiter(windowMs: number): [RateLimiter, Unsubscribe] {
    const o = this.options;
    const limiter = createRateLimiter(this.adapter, {
      name: o.name,
      prefix: o.prefix,
      limit: COUNT_ONLY,
      windowMs,
      algorithm: o.algorithm,
      onOutage: o.onOutage,
      ...(o.onOutage === 'memory'
        ? { memoryLimit: COUNT_ONLY, memoryMaxKeys: o.memoryMaxKeys }
        : {}),
      ...(o.operationTimeout === undefined ? {} : { operationTimeout: o.operationTimeout }),
      ...(o.clock === Date ? {} : { clock: o.clock }),
    });
    return [limiter, limiter.on('degraded', (e) => this.emitter.emit('degraded', e))];
  }
}
