/**
 * Reads the cluster and Sentinel topology from the environment:
 *
 * - `REDIS_CLUSTER_NODES`: comma-separated seed nodes, each `host:port`, `[ipv6]:port` or a
 *   `redis://` / `rediss://` URL (credentials in URLs apply to EVERY node, not just the seeds).
 * - `REDIS_SENTINELS`: comma-separated `host:port` of the sentinels.
 * - `REDIS_SENTINEL_NAME`: the monitored master's name (required with `REDIS_SENTINELS`).
 * - `REDIS_SENTINEL_USERNAME` / `REDIS_SENTINEL_PASSWORD`: credentials of the sentinels
 *   themselves (the data nodes use `REDIS_USERNAME` / `REDIS_PASSWORD`).
 *
 * A bad value fails with a {@link RedisConfigError} naming the variable and showing the value
 * (URLs redacted; passwords never shown).
 */
import { RedisConfigError } from '../errors.js';
import { redactUrl } from '../redact.js';
import { mergeSeeds, parseSeed, type ParsedSeed, type RedisNodeAddress } from './seed-address.js';

export type { RedisNodeAddress } from './seed-address.js';

/** What `REDIS_CLUSTER_NODES` describes. */
export interface ClusterEnvTopology {
  rootNodes: RedisNodeAddress[];
  /** `true` when the entries are `rediss://` URLs, `undefined` when the entries do not say. */
  tls: boolean | undefined;
  /** Username from the URL entries, if any. */
  username: string | undefined;
  /** Password from the URL entries, if any. */
  password: string | undefined;
}

/** What `REDIS_SENTINELS` / `REDIS_SENTINEL_NAME` describe. */
export interface SentinelEnvTopology {
  name: string;
  sentinelRootNodes: RedisNodeAddress[];
  sentinelUsername: string | undefined;
  sentinelPassword: string | undefined;
}

/** The environment variables read here. */
export const CLUSTER_ENV_VARIABLES = Object.freeze([
  'REDIS_CLUSTER_NODES',
  'REDIS_SENTINELS',
  'REDIS_SENTINEL_NAME',
  'REDIS_SENTINEL_USERNAME',
  'REDIS_SENTINEL_PASSWORD',
] as const);

type Env = Readonly<Record<string, string | undefined>>;

const set = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';

function splitList(
  variable: string,
  value: string,
  allowUrl: boolean,
): Array<{ entry: string; seed: ParsedSeed }> {
  const entries = value.split(',').map((s) => s.trim());
  if (entries.some((e) => e === '')) {
    const shown = entries.map((e) => (/:\/\//.test(e) ? redactUrl(e) : e)).join(',');
    throw new RedisConfigError(variable, `${variable}: empty entry in ${JSON.stringify(shown)}`);
  }
  return entries.map((entry) => {
    const seed = parseSeed(entry, allowUrl);
    if (typeof seed === 'string') throw new RedisConfigError(variable, `${variable}: ${seed}`);
    return { entry, seed };
  });
}

/**
 * Parses `REDIS_CLUSTER_NODES`; `undefined` when it is unset or blank.
 * @throws RedisConfigError for a malformed entry, mixed `redis://` and `rediss://` entries, or
 *   URL entries with different credentials.
 */
export function readClusterEnv(env: Env = process.env): ClusterEnvTopology | undefined {
  const variable = 'REDIS_CLUSTER_NODES';
  const value = env[variable];
  if (!set(value)) return undefined;
  const merged = mergeSeeds(splitList(variable, value, true), true);
  if (typeof merged === 'string') throw new RedisConfigError(variable, `${variable}: ${merged}`);
  return {
    rootNodes: merged.nodes,
    tls: merged.tls,
    username: merged.username,
    password: merged.password,
  };
}

/**
 * Parses `REDIS_SENTINELS` and `REDIS_SENTINEL_NAME` (plus the sentinels' own credentials);
 * `undefined` when neither is set.
 * @throws RedisConfigError when only one of the two is set, or for a malformed value.
 */
export function readSentinelEnv(env: Env = process.env): SentinelEnvTopology | undefined {
  const list = env.REDIS_SENTINELS;
  const name = env.REDIS_SENTINEL_NAME;
  if (!set(list) && !set(name)) return undefined;
  if (!set(list)) {
    throw new RedisConfigError(
      'REDIS_SENTINELS',
      'REDIS_SENTINELS: must be set (host:port,...) when REDIS_SENTINEL_NAME is set',
    );
  }
  if (!set(name)) {
    throw new RedisConfigError(
      'REDIS_SENTINEL_NAME',
      'REDIS_SENTINEL_NAME: must be set to the monitored master name when REDIS_SENTINELS is set',
    );
  }
  const trimmed = name.trim();
  if (/[\s\p{Cc}]/u.test(trimmed)) {
    throw new RedisConfigError(
      'REDIS_SENTINEL_NAME',
      `REDIS_SENTINEL_NAME: must not contain whitespace or control characters, got ${JSON.stringify(name)}`,
    );
  }
  const sentinelRootNodes = splitList('REDIS_SENTINELS', list, false).map(({ seed }) => ({
    host: seed.host,
    port: seed.port,
  }));
  const user = env.REDIS_SENTINEL_USERNAME;
  const pass = env.REDIS_SENTINEL_PASSWORD;
  return {
    name: trimmed,
    sentinelRootNodes,
    sentinelUsername: set(user) ? user : undefined,
    sentinelPassword: pass !== undefined && pass !== '' ? pass : undefined,
  };
}

/** The topology the environment selects, if any. */
export type TopologyEnv =
  ({ kind: 'cluster' } & ClusterEnvTopology) | ({ kind: 'sentinel' } & SentinelEnvTopology);

/**
 * `REDIS_CLUSTER_NODES` or `REDIS_SENTINELS`/`REDIS_SENTINEL_NAME`, whichever is set;
 * `undefined` when neither is (a single server, configured by `REDIS_URL` / `REDIS_HOST`).
 * @throws RedisConfigError when both are set, or when either is combined with `REDIS_URL`,
 *   `REDIS_HOST` or `REDIS_PORT` (ambiguous: which one should the service use?).
 */
export function readTopologyEnv(env: Env = process.env): TopologyEnv | undefined {
  const cluster = readClusterEnv(env);
  const sentinel = readSentinelEnv(env);
  if (cluster !== undefined && sentinel !== undefined) {
    throw new RedisConfigError(
      'REDIS_SENTINELS',
      'REDIS_SENTINELS: cannot be combined with REDIS_CLUSTER_NODES; set one of them',
    );
  }
  const variable = cluster !== undefined ? 'REDIS_CLUSTER_NODES' : 'REDIS_SENTINELS';
  if (cluster !== undefined || sentinel !== undefined) {
    for (const single of ['REDIS_URL', 'REDIS_HOST', 'REDIS_PORT'] as const) {
      if (set(env[single])) {
        throw new RedisConfigError(
          variable,
          `${variable}: cannot be combined with ${single} (a single server); unset one of them`,
        );
      }
    }
  }
  if (cluster !== undefined) return { kind: 'cluster', ...cluster };
  if (sentinel !== undefined) return { kind: 'sentinel', ...sentinel };
  return undefined;
}
