/**
 * Options of createRedisSentinelAdapter: the single-server adapter's resilience options (same
 * names, defaults and validation) minus the single address, plus the Sentinel group.
 */
import type { RedisAdapterOptions, ResolvedRedisAdapterOptions } from '../options.js';
import { resolveRedisAdapterOptions } from '../resolve-redis-adapter-options.js';
import { parseSeedNodes, withoutDerivedServername } from './cluster-options.js';
import type { RedisNodeAddress } from './seed-address.js';

/** Where the sentinels are and what they monitor. */
export interface RedisSentinelGroupOptions {
  /** Name of the monitored master (`sentinel monitor <name> …`). */
  name: string;
  /** Sentinels to ask for the master: `'host:port'` or `{ host, port }` (at least one). */
  sentinelRootNodes: Array<string | RedisNodeAddress>;
  /** ACL user of the sentinels themselves (the data nodes use the top-level `username`). */
  username?: string;
  /** Password of the sentinels themselves (never logged, reported or exposed). */
  password?: string;
  /**
   * How often the topology is re-read from the sentinels, in ms, as a backstop to their
   * `+switch-master` notifications. node-redis' code default is 0 (never), not the
   * documented 10000, so it is always set explicitly.
   * @default 2000
   */
  scanInterval?: number;
}

/** Options of {@link createRedisSentinelAdapter}. */
export interface RedisSentinelAdapterOptions extends Omit<
  RedisAdapterOptions,
  'url' | 'host' | 'port'
> {
  /** The Sentinel group. `tls` applies to the data nodes and the sentinels alike. */
  sentinel: RedisSentinelGroupOptions;
}

/** Defaults of the Sentinel-specific options. */
export const DEFAULT_REDIS_SENTINEL_ADAPTER_OPTIONS = Object.freeze({
  name: 'redis-sentinel',
  scanInterval: 2000,
});

/** Resolved options of a Sentinel adapter. */
export interface ResolvedRedisSentinelAdapterOptions {
  /** The shared resilience options (host/port are the first sentinel's). */
  readonly base: ResolvedRedisAdapterOptions;
  readonly masterName: string;
  readonly sentinelRootNodes: readonly RedisNodeAddress[];
  readonly sentinelUsername: string | undefined;
  readonly sentinelPassword: string | undefined;
  readonly scanInterval: number;
}

const W = 'createRedisSentinelAdapter';
const GROUP_KEYS = new Set(['name', 'sentinelRootNodes', 'username', 'password', 'scanInterval']);

/** Applies defaults and validates once; throws TypeError/RangeError naming option and value. */
export function resolveRedisSentinelAdapterOptions(
  options: RedisSentinelAdapterOptions,
): ResolvedRedisSentinelAdapterOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${W}: options must be an object with a sentinel group`);
  }
  for (const k of ['url', 'host', 'port']) {
    if (k in options) {
      throw new TypeError(`${W}: unknown option "${k}" (the master is found through sentinel)`);
    }
  }
  const { sentinel, ...rest } = options;
  if (typeof sentinel !== 'object' || sentinel === null) {
    throw new TypeError(`${W}: sentinel must be an object { name, sentinelRootNodes }`);
  }
  for (const k of Object.keys(sentinel)) {
    if (!GROUP_KEYS.has(k)) throw new TypeError(`${W}: unknown option "sentinel.${k}"`);
  }
  const masterName = sentinel.name;
  if (typeof masterName !== 'string' || masterName === '' || /[\s\p{Cc}]/u.test(masterName)) {
    throw new RangeError(
      `${W}: sentinel.name must be a non-empty master name without whitespace, got ${JSON.stringify(masterName)}`,
    );
  }
  const seeds = parseSeedNodes(W, 'sentinel.sentinelRootNodes', sentinel.sentinelRootNodes, false);
  for (const k of ['username', 'password'] as const) {
    const v = sentinel[k];
    if (v !== undefined && typeof v !== 'string') {
      throw new TypeError(`${W}: sentinel.${k} must be a string, got ${typeof v}`);
    }
  }
  const scanInterval = sentinel.scanInterval ?? DEFAULT_REDIS_SENTINEL_ADAPTER_OPTIONS.scanInterval;
  if (
    typeof scanInterval !== 'number' ||
    !Number.isInteger(scanInterval) ||
    scanInterval < 100 ||
    scanInterval > 2_147_483_647
  ) {
    throw new RangeError(
      `${W}: sentinel.scanInterval must be an integer number of ms >= 100, got ${String(scanInterval)}`,
    );
  }
  const first = seeds[0].seed;
  let base = resolveRedisAdapterOptions(
    {
      ...rest,
      name: rest.name ?? DEFAULT_REDIS_SENTINEL_ADAPTER_OPTIONS.name,
      host: first.host,
      port: first.port,
    } as RedisAdapterOptions,
    W,
  );
  const sentinelPassword = sentinel.password;
  if (
    sentinelPassword !== undefined &&
    sentinelPassword !== '' &&
    !base.secrets.includes(sentinelPassword)
  ) {
    base = { ...base, secrets: [...base.secrets, sentinelPassword] };
  }
  return {
    base: withoutDerivedServername(base, rest),
    masterName,
    sentinelRootNodes: seeds.map(({ seed }) => ({ host: seed.host, port: seed.port })),
    sentinelUsername: sentinel.username,
    sentinelPassword,
    scanInterval,
  };
}
