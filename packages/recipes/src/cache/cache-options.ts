/** Options of {@link createCache}, their defaults and their validation. */
import {
  assertOptionsObject,
  clockOption,
  integerOption,
  MAX_MS,
  operationTimeoutOption,
  stringOption,
} from '../validate-options.js';

/** Options of the optional in-process tier in front of Redis. */
export interface CacheL1Options {
  /** Most entries kept in process memory (LRU eviction beyond it). */
  maxEntries: number;
  /**
   * Longest an entry is served from process memory, in milliseconds. This is the staleness
   * bound: a value served from L1 was read or written by this process at most `ttlMs` ago, even
   * while Redis is down or another process changed it.
   */
  ttlMs: number;
}

/** Options of {@link createCache}. */
export interface CacheOptions {
  /** Prefix of every Redis key of this cache, e.g. `'app:cache:'`. Required; clear() only touches it. */
  prefix: string;
  /**
   * TTL of values written without an explicit TTL, in milliseconds.
   * @default 300000 (5 minutes)
   */
  defaultTtlMs?: number;
  /** In-process LRU tier in front of Redis; off when omitted. */
  l1?: CacheL1Options;
  /**
   * SCAN `COUNT` hint of deleteByPrefix() and clear() (keys per batch).
   * @default 100
   */
  scanCount?: number;
  /**
   * Most invalidations (keys or prefixes) remembered while Redis is down. Beyond it the whole
   * prefix is marked stale and cleared (SCAN + UNLINK) once Redis is back.
   * @default 10000
   */
  maxPendingInvalidations?: number;
  /**
   * Deadline of each Redis call, in milliseconds.
   * @default the adapter's operation timeout
   */
  operationTimeout?: number;
  /**
   * Time source of the L1 tier and the replay throttle.
   * @default Date.now
   */
  clock?: { now(): number };
}

/** Defaults of {@link CacheOptions}. */
export const DEFAULT_CACHE_OPTIONS = {
  defaultTtlMs: 300_000,
  scanCount: 100,
  maxPendingInvalidations: 10_000,
} as const;

/** Validated, defaulted cache options. */
export interface ResolvedCacheOptions {
  prefix: string;
  defaultTtlMs: number;
  l1: CacheL1Options | undefined;
  scanCount: number;
  maxPendingInvalidations: number;
  operationTimeout: number | undefined;
  clock: { now(): number };
}

const WHERE = 'createCache';
const KEYS = [
  'prefix',
  'defaultTtlMs',
  'l1',
  'scanCount',
  'maxPendingInvalidations',
  'operationTimeout',
  'clock',
];

/** Validates `options` once (never mutating it) and applies the defaults. */
export function resolveCacheOptions(options: CacheOptions): ResolvedCacheOptions {
  assertOptionsObject(WHERE, options, KEYS);
  let l1: CacheL1Options | undefined;
  if (options.l1 !== undefined) {
    assertOptionsObject(`${WHERE}: l1`, options.l1, ['maxEntries', 'ttlMs']);
    l1 = {
      maxEntries: integerOption(WHERE, 'l1.maxEntries', options.l1.maxEntries, 1),
      ttlMs: integerOption(WHERE, 'l1.ttlMs', options.l1.ttlMs, 1, MAX_MS),
    };
  }
  const d = DEFAULT_CACHE_OPTIONS;
  return {
    prefix: stringOption(WHERE, 'prefix', options.prefix),
    defaultTtlMs: integerOption(WHERE, 'defaultTtlMs', options.defaultTtlMs ?? d.defaultTtlMs, 1),
    l1,
    scanCount: integerOption(WHERE, 'scanCount', options.scanCount ?? d.scanCount, 1, 100_000),
    maxPendingInvalidations: integerOption(
      WHERE,
      'maxPendingInvalidations',
      options.maxPendingInvalidations ?? d.maxPendingInvalidations,
      0,
    ),
    operationTimeout: operationTimeoutOption(WHERE, options.operationTimeout),
    clock: clockOption(WHERE, options.clock),
  };
}

/** A per-call TTL argument: undefined → default; otherwise a positive integer (ms). */
export function ttlArgument(where: string, ttlMs: unknown, fallback: number): number {
  if (ttlMs === undefined) return fallback;
  return integerOption(where, 'ttlMs', ttlMs, 1);
}
