/** resolveRedisAdapterOptions: defaults, URL parsing and one-time validation. */
import { isIP } from 'node:net';
import { systemClock } from '@breakwater/breaker';
import {
  W,
  bool,
  checkHost,
  int,
  ms,
  parseRedisUrl,
  resolveTls,
  show,
  str,
  type UrlParts,
} from './option-checks.js';
import {
  DEFAULT_REDIS_ADAPTER_OPTIONS,
  defaultReconnectBackoff,
  defaultRedisBreakerOptions,
  type RedisAdapterOptions,
  type ResolvedRedisAdapterOptions,
} from './options.js';
import { debugRedisErrorReporter } from './reporter.js';

const KNOWN = new Set([
  ...Object.keys(DEFAULT_REDIS_ADAPTER_OPTIONS),
  'url',
  'username',
  'password',
  'tls',
  'clientName',
  'reconnectBackoff',
  'breaker',
  'reporter',
  'clock',
]);
const FORBIDDEN_BREAKER_KEYS = ['isFailure', 'timeout', 'clock'];

/**
 * Applies defaults and validates; throws TypeError/RangeError naming the option and value.
 * `where` (the factory the options were given to) prefixes every message.
 */
export function resolveRedisAdapterOptions(
  options: RedisAdapterOptions = {},
  where: string = W,
): ResolvedRedisAdapterOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${where}: options must be an object, got ${show(options)}`);
  }
  for (const k of Object.keys(options)) {
    if (!KNOWN.has(k)) throw new TypeError(`${where}: unknown option "${k}"`);
  }
  const d = DEFAULT_REDIS_ADAPTER_OPTIONS;
  const o = options;
  const url = str(where, 'url', o.url);
  const fromUrl: UrlParts = url === undefined ? { tls: false } : parseRedisUrl(url, where);

  const name = str(where, 'name', o.name) ?? d.name;
  if (name.trim() === '') throw new RangeError(`${where}: name must not be empty`);
  const host = checkHost(where, 'host', o.host) ?? fromUrl.host ?? d.host;
  if (host === '') throw new RangeError(`${where}: host must not be empty`);
  const port = int(where, 'port', o.port ?? fromUrl.port ?? d.port, 1, 65535);
  const username = str(where, 'username', o.username) ?? fromUrl.username;
  const password = str(where, 'password', o.password) ?? fromUrl.password;
  const database = int(
    where,
    'database',
    o.database ?? fromUrl.database ?? d.database,
    0,
    2 ** 31 - 1,
  );
  const tls = resolveTls(where, o.tls, fromUrl.tls, host);
  const RESP = o.RESP ?? d.RESP;
  if (RESP !== 2 && RESP !== 3)
    throw new RangeError(`${where}: RESP must be 2 or 3, got ${show(RESP)}`);
  const clientName = str(where, 'clientName', o.clientName);

  const operationTimeout = ms(
    where,
    'operationTimeout',
    o.operationTimeout ?? d.operationTimeout,
    1,
  ) as number;
  const reconnectGrace = ms(
    where,
    'reconnectGrace',
    o.reconnectGrace ?? d.reconnectGrace,
    0,
  ) as number;
  const connectTimeout = ms(
    where,
    'connectTimeout',
    o.connectTimeout ?? d.connectTimeout,
    1,
  ) as number;
  const requireConnection = bool(
    where,
    'requireConnection',
    o.requireConnection ?? d.requireConnection,
  );
  const pingInterval = ms(where, 'pingInterval', o.pingInterval ?? d.pingInterval, 1, true);
  const socketTimeout = ms(where, 'socketTimeout', o.socketTimeout ?? d.socketTimeout, 1, true);
  if (socketTimeout !== false && pingInterval !== false && socketTimeout <= pingInterval) {
    throw new RangeError(
      `${where}: socketTimeout must be above pingInterval (${pingInterval}), got ${socketTimeout}`,
    );
  }
  if (socketTimeout !== false && pingInterval === false) {
    throw new RangeError(
      `${where}: socketTimeout (${socketTimeout}) needs pingInterval, or healthy idle connections are dropped`,
    );
  }
  const keepAlive = bool(where, 'keepAlive', o.keepAlive ?? d.keepAlive);
  const keepAliveInitialDelay = ms(
    where,
    'keepAliveInitialDelay',
    o.keepAliveInitialDelay ?? d.keepAliveInitialDelay,
    0,
  ) as number;
  const reconnectBackoff = o.reconnectBackoff ?? defaultReconnectBackoff();
  if (typeof reconnectBackoff !== 'object' || typeof reconnectBackoff.delay !== 'function') {
    throw new TypeError(
      `${where}: reconnectBackoff must be a Backoff (an object with delay()), got ${show(reconnectBackoff)}`,
    );
  }
  if (o.breaker !== undefined && (typeof o.breaker !== 'object' || o.breaker === null)) {
    throw new TypeError(`${where}: breaker must be an object, got ${show(o.breaker)}`);
  }
  for (const k of FORBIDDEN_BREAKER_KEYS) {
    if (o.breaker !== undefined && k in o.breaker) {
      throw new TypeError(`${where}: breaker.${k} is set by the adapter and cannot be overridden`);
    }
  }
  const breaker = { ...defaultRedisBreakerOptions(), ...o.breaker };
  const reporter = o.reporter ?? debugRedisErrorReporter;
  if (typeof reporter !== 'function') {
    throw new TypeError(`${where}: reporter must be a function, got ${show(reporter)}`);
  }
  const reportInterval = ms(
    where,
    'reportInterval',
    o.reportInterval ?? d.reportInterval,
    0,
  ) as number;
  const clock = o.clock ?? systemClock;
  if (typeof clock !== 'object' || typeof clock.now !== 'function') {
    throw new TypeError(`${where}: clock must be a Clock, got ${show(clock)}`);
  }

  const secrets: string[] = [];
  if (password !== undefined && password !== '') secrets.push(password);
  if (fromUrl.password !== undefined && fromUrl.password !== password)
    secrets.push(fromUrl.password);
  if (fromUrl.username !== undefined && fromUrl.password === undefined)
    secrets.push(fromUrl.username);
  const hostPart = isIP(host) === 6 ? `[${host}]` : host;
  const displayUrl = `${tls ? 'rediss' : 'redis'}://${hostPart}:${port}/${database}`;

  return {
    name,
    host,
    port,
    username,
    password,
    database,
    tls,
    RESP,
    clientName,
    operationTimeout,
    reconnectGrace,
    connectTimeout,
    requireConnection,
    pingInterval,
    socketTimeout,
    keepAlive,
    keepAliveInitialDelay,
    reconnectBackoff,
    breaker,
    reporter,
    reportInterval,
    clock,
    secrets,
    displayUrl,
  };
}
