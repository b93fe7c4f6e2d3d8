/**
 * Parsing and checking helpers for resolveRedisAdapterOptions: every failure is a TypeError or
 * RangeError naming the option and showing the value (URLs redacted, passwords never shown).
 */
import { isIP } from 'node:net';
import type { RedisTlsOptions, ResolvedRedisAdapterOptions } from './options.js';
import { redactUrl } from './redact.js';

const TLS_KEYS = new Set(['ca', 'cert', 'key', 'servername', 'rejectUnauthorized', 'minVersion']);

/** Prefix of every validation message. */
export const W = 'createRedisAdapter';
/** A value as shown in messages. */
export const show = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

export function ms(name: string, v: unknown, min: number, allowFalse = false): number | false {
  if (allowFalse && v === false) return false;
  if (typeof v !== 'number') {
    throw new TypeError(
      `${W}: ${name} must be a number of ms${allowFalse ? ' or false' : ''}, got ${show(v)}`,
    );
  }
  if (!Number.isFinite(v) || v < min || v > 2_147_483_647) {
    throw new RangeError(`${W}: ${name} must be a finite number of ms >= ${min}, got ${show(v)}`);
  }
  return v;
}
export function str(name: string, v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new TypeError(`${W}: ${name} must be a string, got ${typeof v}`);
  return v;
}
export function bool(name: string, v: unknown): boolean {
  if (typeof v !== 'boolean')
    throw new TypeError(`${W}: ${name} must be a boolean, got ${show(v)}`);
  return v;
}
export function int(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    const E = typeof v === 'number' ? RangeError : TypeError;
    throw new E(`${W}: ${name} must be an integer in [${min}, ${max}], got ${show(v)}`);
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
export function parseRedisUrl(url: string): UrlParts {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TypeError(`${W}: url is not a valid URL, got ${redactUrl(url)}`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new RangeError(`${W}: url must start with redis:// or rediss://, got ${redactUrl(url)}`);
  }
  const parts: UrlParts = { tls: u.protocol === 'rediss:' };
  if (u.hostname !== '') parts.host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (u.port !== '') parts.port = Number(u.port);
  if (u.username !== '') parts.username = decodeURIComponent(u.username);
  if (u.password !== '') parts.password = decodeURIComponent(u.password);
  const db = u.pathname.replace(/^\//, '');
  if (db !== '') {
    if (!/^\d+$/.test(db)) {
      throw new RangeError(`${W}: url database must be an integer, got ${redactUrl(url)}`);
    }
    parts.database = Number(db);
  }
  return parts;
}

/** TLS settings with `servername` derived from the host (not for IPs). */
export function resolveTls(
  v: unknown,
  fromUrl: boolean,
  host: string,
): ResolvedRedisAdapterOptions['tls'] {
  if (v === undefined || v === false) {
    if (v === false && fromUrl) {
      throw new RangeError(`${W}: tls is false but the url uses rediss:// (TLS)`);
    }
    if (!fromUrl) return undefined;
    v = true;
  }
  const o: RedisTlsOptions = v === true ? {} : (v as RedisTlsOptions);
  if (typeof o !== 'object' || o === null) {
    throw new TypeError(`${W}: tls must be a boolean or an object, got ${show(v)}`);
  }
  for (const k of Object.keys(o)) {
    if (!TLS_KEYS.has(k)) throw new TypeError(`${W}: unknown option "tls.${k}"`);
  }
  if (o.rejectUnauthorized !== undefined) bool('tls.rejectUnauthorized', o.rejectUnauthorized);
  let servername: string | undefined;
  if (o.servername === false) servername = undefined;
  else if (o.servername !== undefined) servername = str('tls.servername', o.servername);
  else servername = isIP(host) === 0 ? host : undefined;
  return { ...o, servername };
}
