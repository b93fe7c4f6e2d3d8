import { describe, expect, it } from 'vitest';
import { DEFAULT_CACHE_OPTIONS, resolveCacheOptions } from './cache/cache-options.js';
import type { CacheOptions } from './cache/cache-options.js';
import {
  DEFAULT_RATE_LIMITER_OPTIONS,
  resolveRateLimiterOptions,
} from './rate-limit/rate-limiter-options.js';
import type { RateLimiterOptions } from './rate-limit/rate-limiter-options.js';

describe('resolveCacheOptions', () => {
  it('applies the defaults without mutating the caller object', () => {
    const input = Object.freeze({ prefix: 'c:' });
    const r = resolveCacheOptions(input);
    expect(r).toMatchObject({ prefix: 'c:', ...DEFAULT_CACHE_OPTIONS, l1: undefined });
    expect(r.clock.now()).toBeGreaterThan(0);
    expect(input).toEqual({ prefix: 'c:' });
  });

  it.each<[string, unknown, RegExp]>([
    ['missing prefix', {}, /prefix must be a string, got undefined/],
    ['empty prefix', { prefix: '' }, /prefix must be 1-256 printable/],
    ['NaN ttl', { prefix: 'p', defaultTtlMs: NaN }, /defaultTtlMs must be an integer .* got NaN/],
    ['negative ttl', { prefix: 'p', defaultTtlMs: -5 }, /defaultTtlMs .* got -5/],
    ['string ttl', { prefix: 'p', defaultTtlMs: '5' }, /defaultTtlMs must be a number, got "5"/],
    ['l1 without ttl', { prefix: 'p', l1: { maxEntries: 5 } }, /l1\.ttlMs must be a number/],
    [
      'l1 unknown key',
      { prefix: 'p', l1: { maxEntries: 5, ttlMs: 5, x: 1 } },
      /unknown option "x"/,
    ],
    ['scanCount 0', { prefix: 'p', scanCount: 0 }, /scanCount .* got 0/],
    ['unknown option', { prefix: 'p', ttl: 5 }, /unknown option "ttl"/],
    ['bad clock', { prefix: 'p', clock: {} }, /clock must be an object with a now\(\) method/],
    ['not an object', null, /options must be an object, got null/],
  ])('rejects %s', (_name, options, message) => {
    expect(() => resolveCacheOptions(options as CacheOptions)).toThrow(message);
  });

  it('accepts maxPendingInvalidations 0 (every invalidation then clears the prefix)', () => {
    expect(
      resolveCacheOptions({ prefix: 'p', maxPendingInvalidations: 0 }).maxPendingInvalidations,
    ).toBe(0);
  });
});

describe('resolveRateLimiterOptions', () => {
  const base = { name: 'login', limit: 5, windowMs: 60_000, onOutage: 'closed' } as const;

  it('applies the defaults (memoryLimit defaults to limit)', () => {
    expect(resolveRateLimiterOptions(base)).toMatchObject({
      ...base,
      algorithm: DEFAULT_RATE_LIMITER_OPTIONS.algorithm,
      prefix: DEFAULT_RATE_LIMITER_OPTIONS.prefix,
      memoryLimit: 5,
    });
    expect(
      resolveRateLimiterOptions({ ...base, onOutage: 'memory', memoryLimit: 2 }).memoryLimit,
    ).toBe(2);
  });

  it.each<[string, unknown, RegExp]>([
    [
      'no onOutage',
      { name: 'n', limit: 1, windowMs: 1 },
      /onOutage must be one of 'open', 'closed', 'memory', got undefined/,
    ],
    ['bad algorithm', { ...base, algorithm: 'token-bucket' }, /algorithm must be one of/],
    ['fractional limit', { ...base, limit: 2.5 }, /limit must be an integer .* got 2\.5/],
    ['zero window', { ...base, windowMs: 0 }, /windowMs .* got 0/],
    ['huge window', { ...base, windowMs: 2 ** 31 }, /windowMs/],
    ['memoryLimit without memory', { ...base, memoryLimit: 1 }, /memoryLimit only applies/],
    ['memoryMaxKeys 0', { ...base, onOutage: 'memory', memoryMaxKeys: 0 }, /memoryMaxKeys/],
    ['unknown option', { ...base, burst: 1 }, /unknown option "burst"/],
    ['control char in name', { ...base, name: 'a\nb' }, /name must be 1-256 printable/],
  ])('rejects %s', (_name, options, message) => {
    expect(() => resolveRateLimiterOptions(options as RateLimiterOptions)).toThrow(message);
  });
});
