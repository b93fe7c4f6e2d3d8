/** Options of createRedisAdapter / wrapRedisClient: TSDoc, defaults and one-time validation. */
import { isIP } from 'node:net';
import type { SecureVersion } from 'node:tls';
import {
  exponentialBackoff,
  systemClock,
  type Backoff,
  type CircuitBreakerOptions,
  type Clock,
} from '@breakwater/breaker';
import {
  W,
  bool,
  int,
  ms,
  parseRedisUrl,
  resolveTls,
  show,
  str,
  type UrlParts,
} from './option-checks.js';
import { debugRedisErrorReporter, type RedisErrorReporter } from './reporter.js';

/** TLS settings. Certificates are verified unless you set `rejectUnauthorized` to false yourself. */
export interface RedisTlsOptions {
  /** Trusted CA certificate(s), PEM. @default Node's bundled root CAs */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client certificate (mutual TLS), PEM. */
  cert?: string | Buffer;
  /** Client private key (mutual TLS), PEM. */
  key?: string | Buffer;
  /**
   * SNI server name sent in the TLS handshake; `false` sends none.
   * @default the host name, when the host is not an IP address
   */
  servername?: string | false;
  /** Verify the server certificate. Only an explicit `false` disables it. @default true */
  rejectUnauthorized?: boolean;
  /** Lowest TLS version accepted. @default Node's default ('TLSv1.2') */
  minVersion?: SecureVersion;
}

/** Breaker options the adapter lets you set (it owns `isFailure`, `timeout` and `clock`). */
export type RedisBreakerOptions = Omit<CircuitBreakerOptions, 'isFailure' | 'timeout' | 'clock'>;

/** Options of {@link createRedisAdapter}. Every field is optional. */
export interface RedisAdapterOptions {
  /** Name of the adapter and of its circuit breaker (metrics label, report prefix). @default 'redis' */
  name?: string;
  /**
   * `redis://[[user][:password]@]host[:port][/db]` or `rediss://…` (TLS). Explicit `host`,
   * `port`, `username`, `password`, `database` options override the URL's parts.
   */
  url?: string;
  /** Server host. @default 'localhost' */
  host?: string;
  /** Server port. @default 6379 */
  port?: number;
  /** ACL user name. */
  username?: string;
  /** Password (never logged, reported or exposed). */
  password?: string;
  /** Database index selected on every connection. @default 0 */
  database?: number;
  /** `true` or TLS settings to connect with TLS (implied by `rediss://`). @default false */
  tls?: boolean | RedisTlsOptions;
  /** Protocol version; use 2 for servers or proxies without `HELLO` (Redis < 6). @default 3 */
  RESP?: 2 | 3;
  /** `CLIENT SETNAME` sent on every connection. */
  clientName?: string;
  /** Deadline of each executeRedisOperation call in ms (per call: `options.timeout`). @default 1000 */
  operationTimeout?: number;
  /**
   * How long a call arriving while the client is not connected waits for it (inside its
   * deadline) before taking the fallback, in ms. Hides routine idle reconnects. @default 250
   */
  reconnectGrace?: number;
  /**
   * Limit for one connection attempt (TCP, TLS and the Redis handshake) in ms; `connect()`
   * settles within it. @default 2000
   */
  connectTimeout?: number;
  /**
   * `true`: `connect()` rejects with a typed error if Redis is not ready within
   * `connectTimeout`. `false`: `connect()` resolves and the adapter runs degraded (fallbacks)
   * while it keeps reconnecting in the background. @default false
   */
  requireConnection?: boolean;
  /** Interval of keepalive PINGs in ms (defeats idle reapers); `false` disables. @default 10000 */
  pingInterval?: number | false;
  /**
   * Dead-socket detector: a connection with no traffic for this long (ms) is replaced. Must be
   * above `pingInterval`; `false` disables. @default 25000
   */
  socketTimeout?: number | false;
  /** TCP keepalive. @default true */
  keepAlive?: boolean;
  /** Idle time before the first TCP keepalive probe, in ms. @default 10000 */
  keepAliveInitialDelay?: number;
  /**
   * Delay before reconnect attempt `n` (0-based) after a drop or a failed attempt. The first
   * reconnect after a drop is jittered too.
   * @default exponentialBackoff({ initialDelay: 100, maxDelay: 2000, factor: 2, jitter: 'full' })
   */
  reconnectBackoff?: Backoff;
  /**
   * Circuit breaker settings.
   * @default { failureThreshold: 5, failureRateThreshold: 0.5, monitoringWindow: 10000,
   *   resetTimeout: exponentialBackoff({ initialDelay: 1000, maxDelay: 30000, jitter: 'equal' }),
   *   halfOpenMaxAttempts: 1 }
   */
  breaker?: RedisBreakerOptions;
  /** Receives every Redis error report. @default one line via debug('breakwater:redis') */
  reporter?: RedisErrorReporter;
  /** At most one report per operation name per this many ms (0: no limit). @default 5000 */
  reportInterval?: number;
  /** Time source for the breaker, the reporter and the adapter's timers. @default systemClock */
  clock?: Clock;
}

/** Defaults of {@link RedisAdapterOptions}. */
export const DEFAULT_REDIS_ADAPTER_OPTIONS = Object.freeze({
  name: 'redis',
  host: 'localhost',
  port: 6379,
  database: 0,
  RESP: 3 as 2 | 3,
  operationTimeout: 1000,
  reconnectGrace: 250,
  connectTimeout: 2000,
  requireConnection: false,
  pingInterval: 10_000 as number | false,
  socketTimeout: 25_000 as number | false,
  keepAlive: true,
  keepAliveInitialDelay: 10_000,
  reportInterval: 5000,
});

/** Reconnect backoff used when `reconnectBackoff` is not given. */
export const defaultReconnectBackoff = (): Backoff =>
  exponentialBackoff({ initialDelay: 100, maxDelay: 2000, factor: 2, jitter: 'full' });

/** Breaker defaults for Redis (merged under `options.breaker`). */
export const defaultRedisBreakerOptions = (): RedisBreakerOptions => ({
  failureThreshold: 5,
  failureRateThreshold: 0.5,
  monitoringWindow: 10_000,
  resetTimeout: exponentialBackoff({ initialDelay: 1000, maxDelay: 30_000, jitter: 'equal' }),
  halfOpenMaxAttempts: 1,
});

/** Options after defaults, URL parsing and validation. */
export interface ResolvedRedisAdapterOptions {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly username: string | undefined;
  readonly password: string | undefined;
  readonly database: number;
  /** TLS settings, or undefined for plain TCP. `servername` already derived. */
  readonly tls: (RedisTlsOptions & { servername: string | undefined }) | undefined;
  readonly RESP: 2 | 3;
  readonly clientName: string | undefined;
  readonly operationTimeout: number;
  readonly reconnectGrace: number;
  readonly connectTimeout: number;
  readonly requireConnection: boolean;
  readonly pingInterval: number | false;
  readonly socketTimeout: number | false;
  readonly keepAlive: boolean;
  readonly keepAliveInitialDelay: number;
  readonly reconnectBackoff: Backoff;
  readonly breaker: RedisBreakerOptions;
  readonly reporter: RedisErrorReporter;
  readonly reportInterval: number;
  readonly clock: Clock;
  /** Secrets to scrub from every message (password, URL credentials). */
  readonly secrets: readonly string[];
  /** The target, printable: `redis[s]://host:port/db` with no credentials. */
  readonly displayUrl: string;
}

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

/** Applies defaults and validates; throws TypeError/RangeError naming the option and value. */
export function resolveRedisAdapterOptions(
  options: RedisAdapterOptions = {},
): ResolvedRedisAdapterOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${W}: options must be an object, got ${show(options)}`);
  }
  for (const k of Object.keys(options)) {
    if (!KNOWN.has(k)) throw new TypeError(`${W}: unknown option "${k}"`);
  }
  const d = DEFAULT_REDIS_ADAPTER_OPTIONS;
  const o = options;
  const url = str('url', o.url);
  const fromUrl: UrlParts = url === undefined ? { tls: false } : parseRedisUrl(url);

  const name = str('name', o.name) ?? d.name;
  if (name.trim() === '') throw new RangeError(`${W}: name must not be empty`);
  const host = str('host', o.host) ?? fromUrl.host ?? d.host;
  if (host === '') throw new RangeError(`${W}: host must not be empty`);
  const port = int('port', o.port ?? fromUrl.port ?? d.port, 1, 65535);
  const username = str('username', o.username) ?? fromUrl.username;
  const password = str('password', o.password) ?? fromUrl.password;
  const database = int('database', o.database ?? fromUrl.database ?? d.database, 0, 2 ** 31 - 1);
  const tls = resolveTls(o.tls, fromUrl.tls, host);
  const RESP = o.RESP ?? d.RESP;
  if (RESP !== 2 && RESP !== 3)
    throw new RangeError(`${W}: RESP must be 2 or 3, got ${show(RESP)}`);
  const clientName = str('clientName', o.clientName);

  const operationTimeout = ms(
    'operationTimeout',
    o.operationTimeout ?? d.operationTimeout,
    1,
  ) as number;
  const reconnectGrace = ms('reconnectGrace', o.reconnectGrace ?? d.reconnectGrace, 0) as number;
  const connectTimeout = ms('connectTimeout', o.connectTimeout ?? d.connectTimeout, 1) as number;
  const requireConnection = bool('requireConnection', o.requireConnection ?? d.requireConnection);
  const pingInterval = ms('pingInterval', o.pingInterval ?? d.pingInterval, 1, true);
  const socketTimeout = ms('socketTimeout', o.socketTimeout ?? d.socketTimeout, 1, true);
  if (socketTimeout !== false && pingInterval !== false && socketTimeout <= pingInterval) {
    throw new RangeError(
      `${W}: socketTimeout must be above pingInterval (${pingInterval}), got ${socketTimeout}`,
    );
  }
  if (socketTimeout !== false && pingInterval === false) {
    throw new RangeError(
      `${W}: socketTimeout (${socketTimeout}) needs pingInterval, or healthy idle connections are dropped`,
    );
  }
  const keepAlive = bool('keepAlive', o.keepAlive ?? d.keepAlive);
  const keepAliveInitialDelay = ms(
    'keepAliveInitialDelay',
    o.keepAliveInitialDelay ?? d.keepAliveInitialDelay,
    0,
  ) as number;
  const reconnectBackoff = o.reconnectBackoff ?? defaultReconnectBackoff();
  if (typeof reconnectBackoff !== 'object' || typeof reconnectBackoff.delay !== 'function') {
    throw new TypeError(
      `${W}: reconnectBackoff must be a Backoff (an object with delay()), got ${show(reconnectBackoff)}`,
    );
  }
  if (o.breaker !== undefined && (typeof o.breaker !== 'object' || o.breaker === null)) {
    throw new TypeError(`${W}: breaker must be an object, got ${show(o.breaker)}`);
  }
  for (const k of FORBIDDEN_BREAKER_KEYS) {
    if (o.breaker !== undefined && k in o.breaker) {
      throw new TypeError(`${W}: breaker.${k} is set by the adapter and cannot be overridden`);
    }
  }
  const breaker = { ...defaultRedisBreakerOptions(), ...o.breaker };
  const reporter = o.reporter ?? debugRedisErrorReporter;
  if (typeof reporter !== 'function') {
    throw new TypeError(`${W}: reporter must be a function, got ${show(reporter)}`);
  }
  const reportInterval = ms('reportInterval', o.reportInterval ?? d.reportInterval, 0) as number;
  const clock = o.clock ?? systemClock;
  if (typeof clock !== 'object' || typeof clock.now !== 'function') {
    throw new TypeError(`${W}: clock must be a Clock, got ${show(clock)}`);
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
