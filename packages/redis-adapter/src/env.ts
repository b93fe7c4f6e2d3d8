/**
 * Configuration from environment variables. A bad value fails at once with a RedisConfigError
 * naming the variable and showing the value (URLs redacted; a password is never shown).
 */
import { RedisConfigError } from './errors.js';
import { DEFAULT_REDIS_ADAPTER_OPTIONS, type RedisAdapterOptions } from './options.js';
import {
  AT_AFTER_HOST,
  hasAtAfterHost,
  hasRedisScheme,
  isHostName,
  showHost,
} from './option-checks.js';
import { redactUrl } from './redact.js';
import { createRedisAdapter, type NodeRedisClient } from './create-redis-adapter.js';
import type { RedisAdapter } from './redis-adapter.js';

/** An environment: `process.env` or any string map. */
export type RedisEnv = Readonly<Record<string, string | undefined>>;

/** The variables read, for documentation and tooling. */
export const REDIS_ENV_VARIABLES = Object.freeze([
  'REDIS_URL',
  'REDIS_HOST',
  'REDIS_PORT',
  'REDIS_USERNAME',
  'REDIS_PASSWORD',
  'REDIS_DB',
  'REDIS_TLS',
  'REDIS_TLS_SERVERNAME',
  'REDIS_RESP',
  'REDIS_OPERATION_TIMEOUT',
  'REDIS_CONNECT_TIMEOUT',
  'REDIS_RECONNECT_GRACE',
  'REDIS_PING_INTERVAL',
  'REDIS_SOCKET_TIMEOUT',
  'REDIS_REQUIRE_CONNECTION',
  'REDIS_CIRCUIT_BREAKER_FAILURE_THRESHOLD',
  'REDIS_CIRCUIT_BREAKER_RESET_TIMEOUT',
  'REDIS_CIRCUIT_BREAKER_HALF_OPEN_ATTEMPTS',
] as const);

const read = (env: RedisEnv, name: string): string | undefined => {
  const v = env[name];
  if (v === undefined) return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
};

/** The variables that make an environment a Cluster or Sentinel one. */
const TOPOLOGY_VARIABLES = ['REDIS_CLUSTER_NODES', 'REDIS_SENTINELS', 'REDIS_SENTINEL_NAME'];

/** Variables whose values are secrets: a bad value elsewhere that equals one is not shown. */
const SECRET_VARIABLES = ['REDIS_PASSWORD', 'REDIS_SENTINEL_PASSWORD'] as const;

/** Whether `v` is the value of a secret variable (a password pasted into the wrong one). */
function isSecretValue(env: RedisEnv, v: string): boolean {
  return SECRET_VARIABLES.some((name) => read(env, name) === v);
}

/** `v` quoted for an error message, or `"***"` when it is a secret's value. */
function shownValue(env: RedisEnv, v: string): string {
  return isSecretValue(env, v) ? '"***"' : JSON.stringify(v);
}

function integer(
  env: RedisEnv,
  name: string,
  min: number,
  max: number,
  unit = '',
): number | undefined {
  const v = read(env, name);
  if (v === undefined) return undefined;
  if (!/^[-+]?\d+$/.test(v)) {
    throw new RedisConfigError(
      name,
      `${name} must be an integer${unit}, got ${shownValue(env, v)}`,
    );
  }
  const n = Number(v);
  if (n < min || n > max) {
    throw new RedisConfigError(
      name,
      `${name} must be in [${min}, ${max}]${unit}, got ${shownValue(env, v)}`,
    );
  }
  return n;
}

/** Milliseconds; `0` or `off`/`false` disables where `allowOff`. */
function millis(
  env: RedisEnv,
  name: string,
  min: number,
  allowOff = false,
): number | false | undefined {
  const v = read(env, name);
  if (v === undefined) return undefined;
  if (allowOff && /^(off|false|0)$/i.test(v)) return false;
  return integer(env, name, min, 2_147_483_647, ' (milliseconds)');
}

function boolean(env: RedisEnv, name: string): boolean | undefined {
  const v = read(env, name);
  if (v === undefined) return undefined;
  if (/^(true|1|yes|on)$/i.test(v)) return true;
  if (/^(false|0|no|off)$/i.test(v)) return false;
  throw new RedisConfigError(name, `${name} must be true or false, got ${shownValue(env, v)}`);
}

/**
 * Adapter options from environment variables (see {@link REDIS_ENV_VARIABLES}). REDIS_URL, when
 * set, is the base; REDIS_HOST/PORT/USERNAME/PASSWORD/DB override its parts.
 *
 * @throws RedisConfigError naming the variable and the bad value
 */
export function redisAdapterOptionsFromEnv(env: RedisEnv = process.env): RedisAdapterOptions {
  const o: RedisAdapterOptions = {};
  const url = read(env, 'REDIS_URL');
  if (url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new RedisConfigError(
        'REDIS_URL',
        `REDIS_URL is not a valid URL, got ${redactUrl(url)}`,
      );
    }
    if (!hasRedisScheme(url)) {
      throw new RedisConfigError(
        'REDIS_URL',
        `REDIS_URL must start with redis:// or rediss://, got ${redactUrl(url)}`,
      );
    }
    if (hasAtAfterHost(parsed)) {
      throw new RedisConfigError('REDIS_URL', `REDIS_URL ${AT_AFTER_HOST}, got ${redactUrl(url)}`);
    }
    const path = parsed.pathname;
    if (path !== '' && path !== '/' && !/^\/\d{1,10}$/.test(path)) {
      throw new RedisConfigError(
        'REDIS_URL',
        `REDIS_URL must name the database as /<number>, got ${redactUrl(url)}`,
      );
    }
    o.url = url;
  }
  const host = read(env, 'REDIS_HOST');
  if (host !== undefined) {
    if (!isHostName(host)) {
      throw new RedisConfigError(
        'REDIS_HOST',
        `REDIS_HOST must be a host name or IP address, got ${isSecretValue(env, host) ? '"***"' : showHost(host)}`,
      );
    }
    o.host = host;
  }
  const port = integer(env, 'REDIS_PORT', 1, 65535);
  if (port !== undefined) o.port = port;
  const username = read(env, 'REDIS_USERNAME');
  if (username !== undefined) o.username = username;
  const password = env.REDIS_PASSWORD;
  if (password !== undefined && password !== '') o.password = password;
  const db = integer(env, 'REDIS_DB', 0, 2 ** 31 - 1);
  if (db !== undefined) o.database = db;
  const tls = boolean(env, 'REDIS_TLS');
  const servername = read(env, 'REDIS_TLS_SERVERNAME');
  if (tls === false && url !== undefined && /^\s*rediss:/i.test(url)) {
    throw new RedisConfigError(
      'REDIS_TLS',
      'REDIS_TLS is false but REDIS_URL uses rediss:// (TLS)',
    );
  }
  if (tls === false && servername !== undefined) {
    throw new RedisConfigError(
      'REDIS_TLS_SERVERNAME',
      `REDIS_TLS_SERVERNAME is set (${shownValue(env, servername)}) but REDIS_TLS is false: unset one`,
    );
  }
  if (tls === true || servername !== undefined) {
    o.tls = servername === undefined ? true : { servername };
  }
  const resp = read(env, 'REDIS_RESP');
  if (resp !== undefined) {
    if (resp !== '2' && resp !== '3') {
      throw new RedisConfigError(
        'REDIS_RESP',
        `REDIS_RESP must be 2 or 3, got ${shownValue(env, resp)}`,
      );
    }
    o.RESP = resp === '2' ? 2 : 3;
  }
  const opTimeout = millis(env, 'REDIS_OPERATION_TIMEOUT', 1);
  if (opTimeout !== undefined) o.operationTimeout = opTimeout as number;
  const connectTimeout = millis(env, 'REDIS_CONNECT_TIMEOUT', 1);
  if (connectTimeout !== undefined) o.connectTimeout = connectTimeout as number;
  const grace = millis(env, 'REDIS_RECONNECT_GRACE', 0);
  if (grace !== undefined) o.reconnectGrace = grace as number;
  const ping = millis(env, 'REDIS_PING_INTERVAL', 1, true);
  if (ping !== undefined) o.pingInterval = ping;
  const socketTimeout = millis(env, 'REDIS_SOCKET_TIMEOUT', 1, true);
  if (socketTimeout !== undefined) o.socketTimeout = socketTimeout;
  checkPingAndSocketTimeout(o, ping, socketTimeout);
  const require = boolean(env, 'REDIS_REQUIRE_CONNECTION');
  if (require !== undefined) o.requireConnection = require;

  const breaker: NonNullable<RedisAdapterOptions['breaker']> = {};
  const threshold = integer(env, 'REDIS_CIRCUIT_BREAKER_FAILURE_THRESHOLD', 1, 1_000_000);
  if (threshold !== undefined) breaker.failureThreshold = threshold;
  const reset = millis(env, 'REDIS_CIRCUIT_BREAKER_RESET_TIMEOUT', 1);
  if (reset !== undefined) breaker.resetTimeout = reset as number;
  const halfOpen = integer(env, 'REDIS_CIRCUIT_BREAKER_HALF_OPEN_ATTEMPTS', 1, 1000);
  if (halfOpen !== undefined) breaker.halfOpenMaxAttempts = halfOpen;
  if (Object.keys(breaker).length > 0) o.breaker = breaker;
  return o;
}

/**
 * The dead-socket detector (socketTimeout) relies on keepalive PINGs: REDIS_PING_INTERVAL=off
 * alone turns it off too; a conflict between the two variables is reported naming them (the
 * adapter's own check would name its internal options instead).
 */
function checkPingAndSocketTimeout(
  o: RedisAdapterOptions,
  ping: number | false | undefined,
  socketTimeout: number | false | undefined,
): void {
  if (ping === false && socketTimeout === undefined) {
    o.socketTimeout = false;
    return;
  }
  const d = DEFAULT_REDIS_ADAPTER_OPTIONS;
  const effPing = ping ?? d.pingInterval;
  const effSocket = socketTimeout ?? d.socketTimeout;
  if (ping === undefined && socketTimeout === undefined) return;
  if (effSocket !== false && effPing === false) {
    throw new RedisConfigError(
      'REDIS_SOCKET_TIMEOUT',
      `REDIS_SOCKET_TIMEOUT (${effSocket}) needs REDIS_PING_INTERVAL, which is off: idle connections would be dropped`,
    );
  }
  if (effSocket !== false && effPing !== false && effSocket <= effPing) {
    const name = socketTimeout !== undefined ? 'REDIS_SOCKET_TIMEOUT' : 'REDIS_PING_INTERVAL';
    throw new RedisConfigError(
      name,
      `REDIS_SOCKET_TIMEOUT (${effSocket}) must be above REDIS_PING_INTERVAL (${effPing})`,
    );
  }
}

/**
 * createRedisAdapter with options from the environment, then `overrides` (e.g. a reporter).
 *
 * @throws RedisConfigError naming the variable and the bad value, or a Cluster or Sentinel
 *   variable (REDIS_CLUSTER_NODES, REDIS_SENTINELS, …) that is set
 */
export function createRedisAdapterFromEnv(
  env: RedisEnv = process.env,
  overrides: RedisAdapterOptions = {},
): RedisAdapter<NodeRedisClient> {
  // A Cluster or Sentinel environment must not quietly become a single server (by default
  // localhost:6379): say which variable this function does not read, and what does.
  // The variables that choose a topology (createAnyRedisAdapterFromEnv reads the same ones); a
  // sentinel username or password alone is left to it to judge.
  for (const name of TOPOLOGY_VARIABLES) {
    if ((env[name] ?? '').trim() !== '') {
      throw new RedisConfigError(
        name,
        `${name} is set, but createRedisAdapterFromEnv reads a single-server configuration: ` +
          'use createRedisClusterAdapterFromEnv or createRedisSentinelAdapterFromEnv, or ' +
          'createAnyRedisAdapterFromEnv for the adapter the environment describes',
      );
    }
  }
  const fromEnv = redisAdapterOptionsFromEnv(env);
  const breaker =
    fromEnv.breaker !== undefined || overrides.breaker !== undefined
      ? { ...fromEnv.breaker, ...overrides.breaker }
      : undefined;
  return createRedisAdapter({
    ...fromEnv,
    ...overrides,
    ...(breaker === undefined ? {} : { breaker }),
  });
}
