/**
 * Options of createRedisClusterAdapter: the single-server adapter's resilience options (same
 * names, same defaults, validated by the same code) minus the single address, plus the seed
 * nodes and the cluster-specific settings.
 */
import type { RedisAdapterOptions, ResolvedRedisAdapterOptions } from '../options.js';
import { resolveRedisAdapterOptions } from '../resolve-redis-adapter-options.js';
import { mergeSeeds, parseSeed, type ParsedSeed, type RedisNodeAddress } from './seed-address.js';

/** A seed node: `'host:port'`, a `redis://` / `rediss://` URL, `{ url }` or `{ host, port }`. */
export type RedisSeedNode = string | { url: string } | RedisNodeAddress;

/** How executeRedisOperation picks the circuit breaker of a call. */
export type ClusterBreakerScope = 'shard' | 'cluster';

/** Options of {@link createRedisClusterAdapter}. */
export interface RedisClusterAdapterOptions extends Omit<
  RedisAdapterOptions,
  'url' | 'host' | 'port' | 'database'
> {
  /**
   * Seed nodes used to discover the topology (at least one; three recommended). Credentials and
   * `rediss://` in URL seeds apply to EVERY node (node-redis itself would use them for
   * discovery only); explicit `username` / `password` / `tls` options win.
   */
  rootNodes: RedisSeedNode[];
  /**
   * `'shard'`: one breaker per shard, picked by the `key` call option (a down shard
   * short-circuits only its own keys); calls without `key` use the cluster-wide `breaker`.
   * `'cluster'`: every call uses the cluster-wide `breaker`.
   * @default 'shard'
   */
  breakerScope?: ClusterBreakerScope;
  /**
   * Delay in ms after a node starts reconnecting before node-redis re-reads the topology
   * (`topologyRefreshOnReconnectionAttemptStrategy`), and between re-reads while it keeps
   * failing. Bounds the recovery time after a failover.
   * @default 1000
   */
  topologyRefreshDelay?: number;
  /** Spread read-only commands over replicas. @default false */
  useReplicas?: boolean;
  /** MOVED/ASK redirections followed per command. @default 16 */
  maxCommandRedirections?: number;
}

/** Defaults of the cluster-specific options. */
export const DEFAULT_REDIS_CLUSTER_ADAPTER_OPTIONS = Object.freeze({
  name: 'redis-cluster',
  breakerScope: 'shard' as ClusterBreakerScope,
  topologyRefreshDelay: 1000,
  useReplicas: false,
  maxCommandRedirections: 16,
});

/** Resolved options of a cluster adapter. */
export interface ResolvedRedisClusterAdapterOptions {
  /** The shared resilience options (host/port are the first seed's). */
  readonly base: ResolvedRedisAdapterOptions;
  readonly rootNodes: readonly RedisNodeAddress[];
  readonly breakerScope: ClusterBreakerScope;
  readonly topologyRefreshDelay: number;
  readonly useReplicas: boolean;
  readonly maxCommandRedirections: number;
}

const FORBIDDEN = ['url', 'host', 'port', 'database'];

/** Parses seed entries (strings, `{ url }`, `{ host, port }`) for `where`. */
export function parseSeedNodes(
  where: string,
  option: string,
  nodes: unknown,
  allowUrl: boolean,
): Array<{ entry: string; seed: ParsedSeed }> {
  if (!Array.isArray(nodes) || nodes.length === 0) {
    throw new TypeError(`${where}: ${option} must be a non-empty array of seed nodes`);
  }
  return nodes.map((n: unknown, i) => {
    let entry: string;
    if (typeof n === 'string') entry = n;
    else if (
      typeof n === 'object' &&
      n !== null &&
      typeof (n as { url?: unknown }).url === 'string'
    ) {
      entry = (n as { url: string }).url;
    } else if (
      typeof n === 'object' &&
      n !== null &&
      typeof (n as RedisNodeAddress).host === 'string' &&
      typeof (n as RedisNodeAddress).port === 'number'
    ) {
      const a = n as RedisNodeAddress;
      entry = `${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
    } else {
      throw new TypeError(
        `${where}: ${option}[${i}] must be "host:port", a redis:// URL, { url } or { host, port }`,
      );
    }
    const seed = parseSeed(entry, allowUrl);
    if (typeof seed === 'string') throw new RangeError(`${where}: ${option}[${i}]: ${seed}`);
    return { entry, seed };
  });
}

/**
 * Applies defaults and validates once; throws TypeError/RangeError naming option and value.
 * @param where the factory named in error messages
 */
export function resolveRedisClusterAdapterOptions(
  options: RedisClusterAdapterOptions,
  where = 'createRedisClusterAdapter',
): ResolvedRedisClusterAdapterOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${where}: options must be an object with rootNodes`);
  }
  for (const k of FORBIDDEN) {
    if (k in options) {
      throw new TypeError(`${where}: unknown option "${k}" (a cluster is addressed by rootNodes)`);
    }
  }
  const d = DEFAULT_REDIS_CLUSTER_ADAPTER_OPTIONS;
  const {
    rootNodes,
    breakerScope,
    topologyRefreshDelay,
    useReplicas,
    maxCommandRedirections,
    ...rest
  } = options;
  const merged = mergeSeeds(parseSeedNodes(where, 'rootNodes', rootNodes, true), true);
  if (typeof merged === 'string') throw new RangeError(`${where}: rootNodes: ${merged}`);

  const scope = breakerScope ?? d.breakerScope;
  if (scope !== 'shard' && scope !== 'cluster') {
    throw new RangeError(
      `${where}: breakerScope must be 'shard' or 'cluster', got ${JSON.stringify(scope)}`,
    );
  }
  const refresh = topologyRefreshDelay ?? d.topologyRefreshDelay;
  if (
    typeof refresh !== 'number' ||
    !Number.isInteger(refresh) ||
    refresh < 1 ||
    refresh > 2_147_483_647
  ) {
    throw new RangeError(
      `${where}: topologyRefreshDelay must be an integer number of ms >= 1, got ${String(refresh)}`,
    );
  }
  const replicas = useReplicas ?? d.useReplicas;
  if (typeof replicas !== 'boolean') {
    throw new TypeError(`${where}: useReplicas must be a boolean, got ${String(replicas)}`);
  }
  const redirections = maxCommandRedirections ?? d.maxCommandRedirections;
  if (
    typeof redirections !== 'number' ||
    !Number.isInteger(redirections) ||
    redirections < 0 ||
    redirections > 1000
  ) {
    throw new RangeError(
      `${where}: maxCommandRedirections must be an integer in [0, 1000], got ${String(redirections)}`,
    );
  }

  const first = merged.nodes[0];
  const base = resolveRedisAdapterOptions(
    {
      ...rest,
      name: rest.name ?? d.name,
      host: first.host,
      port: first.port,
      username: rest.username ?? merged.username,
      password: rest.password ?? merged.password,
      tls: rest.tls ?? (merged.tls === true ? true : undefined),
    } as RedisAdapterOptions,
    where,
  );
  if (merged.tls === true && base.tls === undefined) {
    throw new RangeError(`${where}: tls is false but rootNodes use rediss:// (TLS)`);
  }
  return {
    base: withoutDerivedServername(base, rest),
    rootNodes: merged.nodes,
    breakerScope: scope,
    topologyRefreshDelay: refresh,
    useReplicas: replicas,
    maxCommandRedirections: redirections,
  };
}

/**
 * The shared resolver derives the TLS server name from the one host it knows (here: the first
 * seed); every node of a topology has its own host, so only an explicit `tls.servername` is kept.
 */
export function withoutDerivedServername(
  base: ResolvedRedisAdapterOptions,
  given: { tls?: RedisAdapterOptions['tls'] },
): ResolvedRedisAdapterOptions {
  if (base.tls === undefined) return base;
  const explicit =
    typeof given.tls === 'object' && typeof given.tls.servername === 'string'
      ? given.tls.servername
      : undefined;
  return { ...base, tls: { ...base.tls, servername: explicit } };
}

/** `h1:p1,h2:p2` (never credentials), for messages. */
export function seedList(nodes: readonly RedisNodeAddress[]): string {
  return nodes
    .map((n) => (n.host.includes(':') ? `[${n.host}]:${n.port}` : `${n.host}:${n.port}`))
    .join(',');
}
