/**
 * createRateLimiter: an atomic Redis rate limiter with a declared outage policy.
 * See the README section "Fail-open recipes" for the outage contract.
 */
import { DegradationReporter } from '../degradation-reporter.js';
import type { DegradationStats, DegradedEvent } from '../degradation-reporter.js';
import { MemoryRateLimiter } from './memory-rate-limiter.js';
import { FIXED_WINDOW, SLIDING_WINDOW, runLimiterScript } from './rate-limit-scripts.js';
import { RecipeRedis } from '../recipe-client.js';
import type { RecipeFailureReason } from '../recipe-client.js';
import type { RecipeAdapter } from '../recipe-adapter.js';
import { peekScript, refundScript } from './limiter-admin-scripts.js';
import type { LimiterUsage } from './limiter-admin-scripts.js';
import type { Unsubscribe } from '../recipe-emitter.js';
import { resolveRateLimiterOptions } from './rate-limiter-options.js';
import type { RateLimiterOptions } from './rate-limiter-options.js';
import { assertAdapter, assertKey, integerOption } from '../validate-options.js';

/** The answer of {@link RateLimiter.consume}. */
export interface RateLimitResult {
  allowed: boolean;
  /** Units left in the window after this consume (an estimate while degraded). */
  remaining: number;
  /**
   * Allowed: ms until the current window ends. Denied: ms after which the same cost could be
   * allowed (use it for Retry-After).
   */
  resetMs: number;
  /** True when Redis could not be used and the outage policy answered. */
  degraded: boolean;
  /** Why, when degraded. */
  reason?: RecipeFailureReason;
}

/** Counters of a limiter since it was created. */
export interface RateLimiterStats extends DegradationStats {
  allowed: number;
  denied: number;
  /** Keys tracked by the in-process limiter ('memory' policy). */
  memoryKeys: number;
}

/** A rate limiter. consume() never rejects because of Redis and is never retried. */
export interface RateLimiter {
  readonly name: string;
  /** Counts `cost` units (integer ≥ 1, default 1) against `key`, atomically, in one round trip. */
  consume(key: string, cost?: number): Promise<RateLimitResult>;
  /**
   * Gives back up to `cost` units counted for `key` in its current window (a request that
   * should not count after all). Resolves whether anything was given back; never rejects
   * because of Redis (while it is down: the 'memory' limiter, else nothing, reported).
   */
  refund(key: string, cost?: number): Promise<boolean>;
  /** Forgets everything counted for `key`. Resolves false while Redis is down (reported). */
  reset(key: string): Promise<boolean>;
  /**
   * What is counted for `key` in its current window, without counting; `undefined` when
   * nothing is, or while Redis is down (then the 'memory' limiter's count, reported).
   */
  peek(key: string): Promise<LimiterUsage | undefined>;
  stats(): RateLimiterStats;
  on(event: 'degraded', listener: (e: DegradedEvent) => void): Unsubscribe;
}

/** Creates a limiter over `adapter`. Options are validated here (TypeError/RangeError). */
export function createRateLimiter(
  adapter: RecipeAdapter,
  options: RateLimiterOptions,
): RateLimiter {
  assertAdapter('createRateLimiter', adapter);
  const o = resolveRateLimiterOptions(options);
  const reporter = new DegradationReporter('rate-limiter', o.name);
  const redis = new RecipeRedis(adapter);
  const script = o.algorithm === 'fixed' ? FIXED_WINDOW : SLIDING_WINDOW;
  const memory =
    o.onOutage === 'memory'
      ? new MemoryRateLimiter({
          limit: o.memoryLimit,
          windowMs: o.windowMs,
          algorithm: o.algorithm,
          maxKeys: o.memoryMaxKeys,
          clock: o.clock,
        })
      : undefined;
  const counts = { allowed: 0, denied: 0 };

  function tally(result: RateLimitResult): RateLimitResult {
    if (result.allowed) counts.allowed += 1;
    else counts.denied += 1;
    return result;
  }

  function onOutage(key: string, cost: number, reason: RecipeFailureReason): RateLimitResult {
    if (memory !== undefined) {
      reporter.report('consume', reason, 'memory');
      return { ...memory.consume(key, cost), degraded: true, reason };
    }
    if (o.onOutage === 'open') {
      reporter.report('consume', reason, 'allow');
      return {
        allowed: true,
        remaining: Math.max(0, o.limit - cost),
        resetMs: o.windowMs,
        degraded: true,
        reason,
      };
    }
    reporter.report('consume', reason, 'deny');
    return { allowed: false, remaining: 0, resetMs: o.windowMs, degraded: true, reason };
  }

  const redisKeyOf = (key: string): string => `${o.prefix}${o.name}:${key}`;

  return {
    name: o.name,
    async consume(key, cost = 1) {
      assertKey('rateLimiter.consume', key);
      integerOption('rateLimiter.consume', 'cost', cost, 1);
      if (cost > o.limit) {
        // Can never fit: answer without touching Redis (nothing to count).
        return tally({ allowed: false, remaining: o.limit, resetMs: o.windowMs, degraded: false });
      }
      const redisKey = redisKeyOf(key);
      // Through the adapter even while it is not connected: the adapter answers `not-ready`
      // after its short reconnect grace, and counts and reports it like any other fallback.
      const step = await redis.step(
        'rate-limiter.consume',
        redisKey,
        (send) => runLimiterScript(send, script, redisKey, [o.limit, o.windowMs, cost]),
        o.operationTimeout,
      );
      if (!step.ok) return tally(onOutage(key, cost, step.reason));
      reporter.reachedRedis();
      return tally({ ...step.value, degraded: false });
    },
    async refund(key, cost = 1) {
      assertKey('rateLimiter.refund', key);
      integerOption('rateLimiter.refund', 'cost', cost, 1);
      const redisKey = redisKeyOf(key);
      const step = await redis.step(
        'rate-limiter.refund',
        redisKey,
        (send) => refundScript(send, o.algorithm, redisKey, cost),
        o.operationTimeout,
      );
      if (step.ok) {
        reporter.reachedRedis();
        return step.value;
      }
      reporter.report('refund', step.reason, memory === undefined ? 'skip' : 'memory');
      return memory?.refund(key, cost) ?? false;
    },
    async reset(key) {
      assertKey('rateLimiter.reset', key);
      memory?.reset(key);
      const step = await redis.unlink('rate-limiter.reset', [redisKeyOf(key)], o.operationTimeout);
      if (step.ok) {
        reporter.reachedRedis();
        return true;
      }
      reporter.report('reset', step.reason, 'skip');
      return false;
    },
    async peek(key) {
      assertKey('rateLimiter.peek', key);
      const redisKey = redisKeyOf(key);
      const step = await redis.step(
        'rate-limiter.peek',
        redisKey,
        (send) => peekScript(send, o.algorithm, redisKey, o.windowMs),
        o.operationTimeout,
      );
      if (step.ok) {
        reporter.reachedRedis();
        return step.value;
      }
      reporter.report('peek', step.reason, memory === undefined ? 'miss' : 'memory');
      return memory?.peek(key);
    },
    stats() {
      return { ...reporter.stats(), ...counts, memoryKeys: memory?.size ?? 0 };
    },
    on(event, listener) {
      if (event !== 'degraded')
        throw new TypeError(`rateLimiter.on: unknown event ${JSON.stringify(event)}`);
      return reporter.onDegraded(listener);
    },
  };
}
