/**
 * Options of createRedisAdapter / wrapRedisClient: TSDoc, defaults and the resolved shape.
 * Validation lives in resolve-redis-adapter-options.ts.
 */
import type { SecureVersion } from 'node:tls';
import {
  exponentialBackoff,
  type Backoff,
  type CircuitBreakerOptions,
  type Clock,
} from '@breakwater/breaker';
import type { RedisErrorReporter } from './reporter.js';

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
   * Window, in ms, after the connection stops being ready during which calls wait for it to
   * come back (each at most the rest of the window, inside its deadline); after it, calls take
   * the fallback at once. Hides routine idle reconnects. @default 250
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
   * reconnect after a drop is jittered too. The cap bounds how long a restarted server waits
   * for this client's next attempt (the restart → first success time); each attempt while
   * Redis is down is one refused or timed-out TCP connect.
   * @default exponentialBackoff({ initialDelay: 100, maxDelay: 1000, factor: 2, jitter: 'full' })
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

/**
 * Reconnect backoff used when `reconnectBackoff` is not given. Capped at 1 s: after a restart
 * the next attempt comes within the cap (median ~0.3 × cap with full jitter), which is what
 * recovery costs; at 2 s it was 1.5–2 times ioredis 6.1's default median (BENCHMARKS.md,
 * "Recovery after a restart"). Full jitter keeps a fleet's attempts spread over the cap.
 */
export const defaultReconnectBackoff = (): Backoff =>
  exponentialBackoff({ initialDelay: 100, maxDelay: 1000, factor: 2, jitter: 'full' });

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
