/** Options of {@link createRateLimiter}, their defaults and their validation. */
import {
  assertOptionsObject,
  clockOption,
  enumOption,
  integerOption,
  MAX_MS,
  operationTimeoutOption,
  stringOption,
} from '../validate-options.js';

/** What a limiter answers while Redis cannot be used. */
export type RateLimiterOutagePolicy = 'open' | 'closed' | 'memory';

/** Options of {@link createRateLimiter}. */
export interface RateLimiterOptions {
  /** Name of the limiter: part of its Redis keys and of its events (e.g. `'login'`). */
  name: string;
  /** Units allowed per window per key (integer ≥ 1). */
  limit: number;
  /** Window length in milliseconds (integer ≥ 1). */
  windowMs: number;
  /**
   * `'fixed'`: a counter per key whose window starts at its first counted request.
   * `'sliding'`: sliding-window counter (current + weighted previous aligned window).
   * @default 'sliding'
   */
  algorithm?: 'fixed' | 'sliding';
  /**
   * While Redis cannot be used: `'open'` allows (marked degraded), `'closed'` denies (login,
   * password reset…), `'memory'` answers from an in-process limiter with `memoryLimit`.
   * Required: every limiter states its outage behaviour.
   */
  onOutage: RateLimiterOutagePolicy;
  /**
   * Limit of the in-process limiter used by `onOutage: 'memory'`, per process. Scale it:
   * with N processes behind a balancer, `Math.ceil(limit / N)` keeps the total near `limit`.
   * @default limit
   */
  memoryLimit?: number;
  /**
   * Most keys the in-process limiter tracks (oldest forgotten beyond it).
   * @default 10000
   */
  memoryMaxKeys?: number;
  /**
   * Prefix of the limiter's Redis keys: `<prefix><name>:<key>`.
   * @default 'breakwater:rl:'
   */
  prefix?: string;
  /**
   * Deadline of each consume's Redis call, in milliseconds.
   * @default the adapter's operation timeout
   */
  operationTimeout?: number;
  /**
   * Time source of the in-process limiter.
   * @default Date.now
   */
  clock?: { now(): number };
}

/** Defaults of {@link RateLimiterOptions}. */
export const DEFAULT_RATE_LIMITER_OPTIONS = {
  algorithm: 'sliding',
  memoryMaxKeys: 10_000,
  prefix: 'breakwater:rl:',
} as const;

/** Validated, defaulted limiter options. */
export interface ResolvedRateLimiterOptions {
  name: string;
  limit: number;
  windowMs: number;
  algorithm: 'fixed' | 'sliding';
  onOutage: RateLimiterOutagePolicy;
  memoryLimit: number;
  memoryMaxKeys: number;
  prefix: string;
  operationTimeout: number | undefined;
  clock: { now(): number };
}

const WHERE = 'createRateLimiter';
const KEYS = [
  'name',
  'limit',
  'windowMs',
  'algorithm',
  'onOutage',
  'memoryLimit',
  'memoryMaxKeys',
  'prefix',
  'operationTimeout',
  'clock',
];

/** Validates `options` once (never mutating it) and applies the defaults. */
export function resolveRateLimiterOptions(options: RateLimiterOptions): ResolvedRateLimiterOptions {
  assertOptionsObject(WHERE, options, KEYS);
  const d = DEFAULT_RATE_LIMITER_OPTIONS;
  const limit = integerOption(WHERE, 'limit', options.limit, 1);
  const onOutage = enumOption(WHERE, 'onOutage', options.onOutage, ['open', 'closed', 'memory']);
  for (const key of ['memoryLimit', 'memoryMaxKeys'] as const) {
    if (options[key] !== undefined && onOutage !== 'memory') {
      throw new TypeError(
        `${WHERE}: ${key} only applies with onOutage 'memory', got onOutage '${onOutage}'`,
      );
    }
  }
  return {
    name: stringOption(WHERE, 'name', options.name),
    limit,
    windowMs: integerOption(WHERE, 'windowMs', options.windowMs, 1, MAX_MS),
    algorithm: enumOption(WHERE, 'algorithm', options.algorithm ?? d.algorithm, [
      'fixed',
      'sliding',
    ]),
    onOutage,
    memoryLimit: integerOption(WHERE, 'memoryLimit', options.memoryLimit ?? limit, 1),
    memoryMaxKeys: integerOption(
      WHERE,
      'memoryMaxKeys',
      options.memoryMaxKeys ?? d.memoryMaxKeys,
      1,
    ),
    prefix: stringOption(WHERE, 'prefix', options.prefix ?? d.prefix),
    operationTimeout: operationTimeoutOption(WHERE, options.operationTimeout),
    clock: clockOption(WHERE, options.clock),
  };
}
