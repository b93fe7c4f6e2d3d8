/**
 * Parsing and checking helpers for resolveRedisAdapterOptions: every failure is a TypeError or
 * RangeError naming the option and showing the value (URLs redacted, passwords never shown).
 */
import { isIP } from 'node:net';
import type { RedisTlsOptions, ResolvedRedisAdapterOptions } from './options.js';
import { REDACTED, redactUrl } from './redact.js';

const TLS_KEYS = new Set(['ca', 'cert', 'key', 'servername', 'rejectUnauthorized', 'minVersion']);

/** Default prefix of validation messages: the factory the options were given to. */
export const W = 'createRedisAdapter';
/** A value as shown in messages. */
export const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

export function ms(
  where: string,
  name: string,
  v: unknown,
  min: number,
  allowFalse = false,
): number | false {
  if (allowFalse && v === false) return false;
  if (typeof v !== 'number') {
    throw new TypeError(
      `${where}: ${name} must be a number of ms${allowFalse ? ' or false' : ''}, got ${show(v)}`,
    );
  }
  if (!Number.isFinite(v) || v < min || v > 2_147_483_647) {
    throw new RangeError(
      `${where}: ${name} must be a finite number of ms >= ${min}, got ${show(v)}`,
    );
  }
  return v;
}
export function str(where: string, name: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string')
    throw new TypeError(`${where}: ${name} must be a string, got ${typeof v}`);
  return v;
}
export function bool(where: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean')
    throw new TypeError(`${where}: ${name} must be a boolean, got ${show(v)}`);
  return v;
}
export function int(where: string, name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    const E = typeof v === 'number' ? RangeError : TypeError;
    throw new E(`${where}: ${name} must be an integer in [${min}, ${max}], got ${show(v)}`);
  }
  return v;
}

/** The parts of a redis[s]:// URL. */
export interface UrlParts {
  tls: boolean;
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  database?: number;
}

/** Parses a redis:// or rediss:// URL; throws naming `url` with the URL redacted. */
export function parseRedisUrl(url: string, where = W): UrlParts {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TypeError(`${where}: url is not a valid URL, got ${redactUrl(url)}`);
  }
  if (!hasRedisScheme(url)) {
    throw new RangeError(
      `${where}: url must start with redis:// or rediss://, got ${redactUrl(url)}`,
    );
  }
  if (hasAtAfterHost(u)) {
    throw new RangeError(`${where}: url ${AT_AFTER_HOST}, got ${redactUrl(url)}`);
  }
  const parts: UrlParts = { tls: u.protocol === 'rediss:' };
  if (u.hostname !== '') parts.host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (u.port !== '') parts.port = Number(u.port);
  if (u.username !== '') parts.username = decodeURIComponent(u.username);
  if (u.password !== '') parts.password = decodeURIComponent(u.password);
  const db = u.pathname.replace(/^\//, '');
  if (db !== '') {
    if (!/^\d+$/.test(db)) {
      throw new RangeError(`${where}: url database must be an integer, got ${redactUrl(url)}`);
    }
    parts.database = Number(db);
  }
  return parts;
}

/** True when `url` starts with `redis://` or `rediss://` (any case, leading blanks allowed). */
export function hasRedisScheme(url: string): boolean {
  return /^\s*rediss?:\/\//i.test(url);
}

/**
 * True for a host name or IP address: a non-empty string with no `@`, `/`, `?`, `#`, blank, or
 * `:` outside an IPv6 address (so `user:pass@host` or a URL given as a host is refused).
 */
export function isHostName(host: string): boolean {
  return host !== '' && !/[@/\s?#]/.test(host) && (!host.includes(':') || isIP(host) === 6);
}

/**
 * `got …` for a refused host, quoted, never showing a credential: a URL or `user:pass@host` is
 * shown redacted ({@link redactUrl}), and after a `:` only a port number is shown (`cache:6379`
 * stays, `default:hunter2` becomes `default:***`).
 */
export function showHost(host: string): string {
  if (host.includes('@') || host.includes('://')) return JSON.stringify(redactUrl(host));
  const colon = host.indexOf(':');
  if (colon < 0 || isIP(host) === 6 || /^\d*$/.test(host.slice(colon + 1))) {
    return JSON.stringify(host);
  }
  return JSON.stringify(`${host.slice(0, colon + 1)}${REDACTED}`);
}

/**
 * True when a parsed URL has an `@` after its host: a password with an unencoded `@` followed by
 * `/`, `?` or `#`, which the parser split in the wrong place (part of the password would be
 * taken for the host).
 */
export function hasAtAfterHost(u: URL): boolean {
  return `${u.pathname}${u.search}${u.hash}`.includes('@');
}

/** The error text for {@link hasAtAfterHost}. */
export const AT_AFTER_HOST =
  'has an "@" after its host: percent-encode "@", "/", "?" and "#" in a user name or password';

/** The `host` option, checked with {@link isHostName}. */
export function checkHost(where: string, name: string, v: unknown): string | undefined {
  const host = str(where, name, v);
  if (host === undefined || isHostName(host)) return host;
  throw new RangeError(
    `${where}: ${name} must be a host name or IP address, got ${showHost(host)}`,
  );
}

/** TLS settings with `servername` derived from the host (not for IPs). */
export function resolveTls(
  where: string,
  v: unknown,
  fromUrl: boolean,
  host: string,
): ResolvedRedisAdapterOptions['tls'] {
  if (v === undefined || v === false) {
    if (v === false && fromUrl) {
      throw new RangeError(`${where}: tls is false but the url uses rediss:// (TLS)`);
    }
    if (!fromUrl) return undefined;
    v = true;
  }
  const o: RedisTlsOptions = v === true ? {} : (v as RedisTlsOptions);
  if (typeof o !== 'object' || o === null) {
    throw new TypeError(`${where}: tls must be a boolean or an object, got ${show(v)}`);
  }
  for (const k of Object.keys(o)) {
    if (!TLS_KEYS.has(k)) throw new TypeError(`${where}: unknown option "tls.${k}"`);
  }
  if (o.rejectUnauthorized !== undefined)
    bool(where, 'tls.rejectUnauthorized', o.rejectUnauthorized);
  let servername: string | undefined;
  if (o.servername === false) servername = undefined;
  else if (o.servername !== undefined) servername = str(where, 'tls.servername', o.servername);
  else servername = isIP(host) === 0 ? host : undefined;
  return { ...o, servername };
}
