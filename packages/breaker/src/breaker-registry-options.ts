/** Options of {@link BreakerRegistry}: the interface, its defaults and their validation. */
import { systemClock } from './clock.js';
import { checkOptionKeys, clockOf, count, durationOrFalse } from './option-checks.js';
import { validateName } from './options.js';
import type { Clock } from './types.js';

/** Options of `new BreakerRegistry(factory, options)`; see `DEFAULT_BREAKER_REGISTRY_OPTIONS`. */
export interface BreakerRegistryOptions {
  /**
   * Name used in events and metric labels (1–200 characters).
   * @default 'breakers'
   */
  name?: string;
  /**
   * Most live breakers, an integer >= 1. Creating one more evicts the least recently used.
   * @default 1000
   */
  maxKeys?: number;
  /**
   * A breaker not used for this long (milliseconds) is evicted, or `false` to keep breakers
   * until `maxKeys` pushes them out.
   * @default 600000 (10 minutes)
   */
  idleTtl?: number | false;
  /** Time source. @default the system clock */
  clock?: Clock;
}

/** The defaults applied to every option the caller leaves out. */
export const DEFAULT_BREAKER_REGISTRY_OPTIONS = Object.freeze({
  name: 'breakers',
  maxKeys: 1000,
  idleTtl: 600_000,
} as const);

/** {@link BreakerRegistryOptions} after defaults and validation. */
export interface ResolvedBreakerRegistryOptions {
  readonly name: string;
  readonly maxKeys: number;
  readonly idleTtl: number | false;
  readonly clock: Clock;
}

const KNOWN_KEYS = new Set(['name', 'maxKeys', 'idleTtl', 'clock']);

/** Applies the defaults and validates every option once. Never mutates `opts`. */
export function resolveBreakerRegistryOptions(
  opts: BreakerRegistryOptions = {},
): ResolvedBreakerRegistryOptions {
  checkOptionKeys('breaker registry', opts, KNOWN_KEYS);
  const d = DEFAULT_BREAKER_REGISTRY_OPTIONS;
  return Object.freeze({
    name: validateName(opts.name === undefined ? d.name : opts.name),
    maxKeys: count('maxKeys', opts.maxKeys === undefined ? d.maxKeys : opts.maxKeys, 1),
    idleTtl: durationOrFalse('idleTtl', opts.idleTtl === undefined ? d.idleTtl : opts.idleTtl),
    clock: opts.clock === undefined ? systemClock : clockOf(opts.clock),
  });
}
