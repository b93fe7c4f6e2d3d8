/**
 * Parsing of one seed node (cluster root node or sentinel): `host:port`, `[v6]:port` or a
 * `redis://` / `rediss://` URL. Returns the parsed address or the reason it is invalid; the
 * callers wrap the reason in their own error (RedisConfigError for the environment, TypeError /
 * RangeError for options). Reasons never contain a password: URLs are shown redacted.
 */
import { AT_AFTER_HOST, hasAtAfterHost } from '../option-checks.js';
import { redactUrl, redactUserinfo } from '../redact.js';

/** A seed node address. */
export interface RedisNodeAddress {
  host: string;
  port: number;
}

/** A parsed seed. URL fields are set only for URL seeds. */
export interface ParsedSeed extends RedisNodeAddress {
  /** `true` for `rediss://`, `false` for `redis://`, `undefined` for `host:port`. */
  tls: boolean | undefined;
  username: string | undefined;
  password: string | undefined;
  /** Database path of a URL seed (`/3` → 3), if any. */
  database: number | undefined;
}

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

/** How a seed is shown in an error: URLs redacted, anything else as JSON. */
export function showSeed(entry: string): string {
  // Not a URL, it may still carry credentials (`:password@host:port`): never echo them.
  return JSON.stringify(URL_LIKE.test(entry) ? redactUrl(entry) : redactUserinfo(entry));
}

function port(raw: string, entry: string): number | string {
  const p = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  return p >= 1 && p <= 65535
    ? p
    : `invalid entry ${showSeed(entry)}: port must be an integer in 1..65535, got ${JSON.stringify(raw)}`;
}

/**
 * Parses a seed. `allowUrl: false` accepts only `host:port` (sentinels).
 * @returns the seed, or a string explaining why `entry` is invalid
 */
export function parseSeed(entry: string, allowUrl: boolean): ParsedSeed | string {
  if (!URL_LIKE.test(entry)) {
    if (entry.includes('@')) {
      // Credentials without a scheme: refuse before any part of the entry is echoed.
      return `invalid entry ${showSeed(entry)}: credentials belong in a redis:// or rediss:// URL`;
    }
    const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:/@[\]]+)):([^:]*)$/.exec(entry);
    if (m === null) {
      return `invalid entry ${showSeed(entry)}: expected host:port${allowUrl ? ' or a redis:// / rediss:// URL' : ''}`;
    }
    const p = port(m[3], entry);
    if (typeof p === 'string') return p;
    const host = m[1] ?? m[2];
    return {
      host,
      port: p,
      tls: undefined,
      username: undefined,
      password: undefined,
      database: undefined,
    };
  }
  if (!allowUrl) return `invalid entry ${showSeed(entry)}: expected host:port`;
  let u: URL;
  try {
    u = new URL(entry);
  } catch {
    return `invalid URL entry ${showSeed(entry)}`;
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    return `unsupported scheme in ${showSeed(entry)}: expected redis:// or rediss://`;
  }
  if (u.hostname === '') return `missing host in ${showSeed(entry)}`;
  if (hasAtAfterHost(u)) return `invalid entry ${showSeed(entry)}: ${AT_AFTER_HOST}`;
  const db = u.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) return `invalid database in ${showSeed(entry)}`;
  let p: number | string = 6379;
  if (u.port !== '') p = port(u.port, entry);
  if (typeof p === 'string') return p;
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: p,
    tls: u.protocol === 'rediss:',
    username: u.username === '' ? undefined : decodeURIComponent(u.username),
    password: u.password === '' ? undefined : decodeURIComponent(u.password),
    database: db === '' ? undefined : Number(db),
  };
}

/** Seeds merged: one scheme, one set of credentials; or the reason they disagree. */
export interface MergedSeeds {
  nodes: RedisNodeAddress[];
  tls: boolean | undefined;
  username: string | undefined;
  password: string | undefined;
}

/**
 * Checks that URL seeds agree on TLS and credentials and that none selects a database other than
 * 0 (`clusterOnly`), and merges them.
 */
export function mergeSeeds(
  seeds: ReadonlyArray<{ entry: string; seed: ParsedSeed }>,
  clusterOnly: boolean,
): MergedSeeds | string {
  let tls: boolean | undefined;
  let creds: { username: string | undefined; password: string | undefined } | undefined;
  for (const { entry, seed } of seeds) {
    if (clusterOnly && seed.database !== undefined && seed.database !== 0) {
      return `${showSeed(entry)} selects database ${JSON.stringify(String(seed.database))}; a cluster has only database 0`;
    }
    if (seed.tls !== undefined) {
      if (tls !== undefined && tls !== seed.tls) {
        return `mixes redis:// and rediss:// entries (${showSeed(entry)}); use one scheme`;
      }
      tls = seed.tls;
    }
    if (seed.username !== undefined || seed.password !== undefined) {
      if (
        creds !== undefined &&
        (creds.username !== seed.username || creds.password !== seed.password)
      ) {
        return `entries carry different credentials (${showSeed(entry)}); every node uses the same`;
      }
      creds = { username: seed.username, password: seed.password };
    }
  }
  return {
    nodes: seeds.map(({ seed }) => ({ host: seed.host, port: seed.port })),
    tls,
    username: creds?.username,
    password: creds?.password,
  };
}
