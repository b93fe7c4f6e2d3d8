/**
 * Every error class of @breakwater/redis-adapter: one per failure mode. Each has a `name`,
 * supports `cause`, carries a brand (a `Symbol.for` key, so the guards work across duplicate
 * copies of the package) and has an `isXxxError(e: unknown)` type guard. Messages never contain
 * a password: they are written from redacted inputs only.
 */

const brand = (target: object, key: symbol): void => {
  // Non-enumerable, so it shows up neither in logs nor in JSON.
  Object.defineProperty(target, key, { value: true, enumerable: false });
};

const hasBrand = (e: unknown, key: symbol): boolean =>
  typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[key] === true;

const AUTH = Symbol.for('breakwater.RedisAuthenticationError');
const TLS = Symbol.for('breakwater.RedisTlsError');
const PROTOCOL = Symbol.for('breakwater.RedisProtocolError');
const CONNECT_TIMEOUT = Symbol.for('breakwater.RedisConnectTimeoutError');
const UNAVAILABLE = Symbol.for('breakwater.RedisUnavailableError');
const NOT_READY = Symbol.for('breakwater.RedisNotReadyError');
const CONFIG = Symbol.for('breakwater.RedisConfigError');
const CORRUPTED_REPLY = Symbol.for('breakwater.RedisCorruptedReplyError');
const CORRUPT_VALUE = Symbol.for('breakwater.RedisCorruptValueError');

/**
 * The server rejected the credentials during the handshake (WRONGPASS, NOAUTH, NOPERM).
 * Permanent: the adapter stops reconnecting; fix the configuration and call `connect()` again.
 */
export class RedisAuthenticationError extends Error {
  override readonly name = 'RedisAuthenticationError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    brand(this, AUTH);
  }
}

/**
 * The TLS handshake failed (certificate not trusted, host name mismatch, expired, protocol
 * mismatch). Permanent: the adapter stops reconnecting. `code` is Node's error code.
 */
export class RedisTlsError extends Error {
  override readonly name = 'RedisTlsError';
  /** Node's TLS error code, e.g. `DEPTH_ZERO_SELF_SIGNED_CERT`. */
  readonly code: string | undefined;
  constructor(message: string, code: string | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    brand(this, TLS);
  }
}

/**
 * The server does not speak the requested protocol: `HELLO` is unknown (Redis < 6 or a proxy)
 * while RESP3 was asked for. Permanent; set `RESP: 2`.
 */
export class RedisProtocolError extends Error {
  override readonly name = 'RedisProtocolError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    brand(this, PROTOCOL);
  }
}

/** `connect()` (TCP, TLS and the Redis handshake) did not complete within `connectTimeout`. */
export class RedisConnectTimeoutError extends Error {
  override readonly name = 'RedisConnectTimeoutError';
  /** The limit that was exceeded, in milliseconds. */
  readonly timeoutMs: number;
  constructor(timeoutMs: number, options?: { cause?: unknown }) {
    super(`Redis connection not ready after ${timeoutMs} ms (connectTimeout)`, options);
    this.timeoutMs = timeoutMs;
    brand(this, CONNECT_TIMEOUT);
  }
}

/**
 * Redis could not be reached (refused, reset, unreachable) when a connection was required
 * (`requireConnection: true`). `cause` is the last connection error.
 */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    brand(this, UNAVAILABLE);
  }
}

/**
 * Handed to fallbacks (kind `not-ready`) when the client was not connected and did not become
 * ready within the reconnect grace. `state` is the connection state at that moment.
 */
export class RedisNotReadyError extends Error {
  override readonly name = 'RedisNotReadyError';
  readonly state: string;
  constructor(state: string, options?: { cause?: unknown }) {
    super(
      state === 'closed'
        ? 'Redis client is not connected (state: closed); call connect() first'
        : `Redis client is not ready (state: ${state})`,
      options,
    );
    this.state = state;
    brand(this, NOT_READY);
  }
}

/**
 * A connection's reply stream could not be decoded (bytes that are not RESP, a reply no command
 * was waiting for): later replies could be matched to the wrong commands, so the adapter dropped
 * that connection at once and reconnects. Reported as kind `connection` (operation
 * `connection`); `cause` is the client's own error (e.g. node-redis' `Unknown RESP type`).
 * Calls in flight on that connection take the fallback with kind `connection`.
 */
export class RedisCorruptedReplyError extends Error {
  override readonly name = 'RedisCorruptedReplyError';
  /** Which connection was dropped, e.g. `the connection` or `node 10.0.0.1:7000`. */
  readonly connection: string;
  /** @param connection which connection was dropped, e.g. `node 10.0.0.1:7000` */
  constructor(connection: string, options?: { cause?: unknown }) {
    super(
      `the reply stream of ${connection} could not be decoded (${causeText(options?.cause)}); ` +
        'dropped it so that no reply is matched to the wrong command',
      options,
    );
    this.connection = connection;
    brand(this, CORRUPTED_REPLY);
  }
}

/**
 * Thrown by an operation when Redis answered but the stored value cannot be used (not valid JSON,
 * an unknown format): a degraded answer, not an outage. executeRedisOperation rejects with it
 * unchanged (your code answers from its own contract, e.g. a cache miss); the breaker ignores it
 * (Redis is up: neither a failure nor a success); it is counted as result `fallback` with reason
 * `corrupt` (the `operation` event, `observeOperations`, hence `redis_fallbacks_total{reason=
 * "corrupt"}`) and reported with kind `corrupt`. The message must never contain the key or the
 * value: it is what the reporter prints.
 */
export class RedisCorruptValueError extends Error {
  override readonly name = 'RedisCorruptValueError';
  /** @param message what is wrong with the value, without the key or the value itself */
  constructor(message = 'stored value could not be decoded', options?: { cause?: unknown }) {
    super(message, options);
    brand(this, CORRUPT_VALUE);
  }
}

/** A short description of a client error (decoder messages carry no user data). */
function causeText(cause: unknown): string {
  const m = (cause as { message?: unknown } | null | undefined)?.message;
  return (typeof m === 'string' ? m : String(cause)).slice(0, 120);
}

/**
 * A configuration value read from the environment is invalid. `variable` names it; the message
 * names the variable and shows the value (redacted when it is a URL; never a password).
 */
export class RedisConfigError extends RangeError {
  override readonly name = 'RedisConfigError';
  /** The environment variable at fault, e.g. `REDIS_PORT`. */
  readonly variable: string;
  constructor(variable: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.variable = variable;
    brand(this, CONFIG);
  }
}

/** True if `e` is a {@link RedisAuthenticationError} (from any copy of this package). */
export function isRedisAuthenticationError(e: unknown): e is RedisAuthenticationError {
  return hasBrand(e, AUTH);
}
/** True if `e` is a {@link RedisTlsError} (from any copy of this package). */
export function isRedisTlsError(e: unknown): e is RedisTlsError {
  return hasBrand(e, TLS);
}
/** True if `e` is a {@link RedisProtocolError} (from any copy of this package). */
export function isRedisProtocolError(e: unknown): e is RedisProtocolError {
  return hasBrand(e, PROTOCOL);
}
/** True if `e` is a {@link RedisConnectTimeoutError} (from any copy of this package). */
export function isRedisConnectTimeoutError(e: unknown): e is RedisConnectTimeoutError {
  return hasBrand(e, CONNECT_TIMEOUT);
}
/** True if `e` is a {@link RedisUnavailableError} (from any copy of this package). */
export function isRedisUnavailableError(e: unknown): e is RedisUnavailableError {
  return hasBrand(e, UNAVAILABLE);
}
/** True if `e` is a {@link RedisNotReadyError} (from any copy of this package). */
export function isRedisNotReadyError(e: unknown): e is RedisNotReadyError {
  return hasBrand(e, NOT_READY);
}
/** True if `e` is a {@link RedisConfigError} (from any copy of this package). */
export function isRedisConfigError(e: unknown): e is RedisConfigError {
  return hasBrand(e, CONFIG);
}

/** True if `e` is a {@link RedisCorruptedReplyError} (from any copy of this package). */
export function isRedisCorruptedReplyError(e: unknown): e is RedisCorruptedReplyError {
  return hasBrand(e, CORRUPTED_REPLY);
}

/** True if `e` is a {@link RedisCorruptValueError} (from any copy of this package). */
export function isRedisCorruptValueError(e: unknown): e is RedisCorruptValueError {
  return hasBrand(e, CORRUPT_VALUE);
}

/** True for the errors after which the adapter stops reconnecting (auth, TLS, protocol). */
export function isPermanentRedisError(e: unknown): boolean {
  return isRedisAuthenticationError(e) || isRedisTlsError(e) || isRedisProtocolError(e);
}
