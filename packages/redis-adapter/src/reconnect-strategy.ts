/**
 * Reconnect policy. node-redis reconnects immediately after a ready connection drops (the
 * strategy's value is ignored for that first attempt) and sleeps between attempts on timers
 * nobody can cancel. So the adapter's strategy never lets node-redis retry: it returns an
 * Error every time, which terminates the client, and the adapter drives the next `connect()`
 * itself after a jittered delay from {@link ReconnectPlanner} (verified: the same client object
 * connects again after termination). Permanent causes map to typed errors and stop the loop.
 */
import type { Backoff } from '@breakwater/breaker';
import { classifyConnectionError, classifyReplyMessage } from './classify-error.js';
import {
  RedisAuthenticationError,
  RedisProtocolError,
  RedisTlsError,
  isPermanentRedisError,
} from './errors.js';
import { className } from './redact.js';
import type { RedisFailureKind } from './types.js';

const HANDOFF = Symbol.for('breakwater.RedisReconnectHandoff');

/** The value the strategy returns for transient causes: "stop; the adapter reconnects". */
function makeHandoff(): Error {
  const e = new Error('reconnect handed over to the adapter');
  Object.defineProperty(e, HANDOFF, { value: true, enumerable: false });
  return e;
}

/** True for the marker error returned by {@link createReconnectStrategy} for transient causes. */
export function isReconnectHandoff(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[HANDOFF] === true;
}

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_)|CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET)|HOSTNAME_MISMATCH/;

/**
 * The typed error for a cause after which reconnecting cannot help, or `undefined` for a
 * transient cause:
 * - WRONGPASS / NOAUTH / NOPERM replies during the handshake → {@link RedisAuthenticationError}
 * - `ERR unknown command 'HELLO'` → {@link RedisProtocolError} (suggests `RESP: 2`)
 * - TLS certificate / handshake errors (Node `.code`) → {@link RedisTlsError}
 */
export function permanentConnectionError(cause: unknown): Error | undefined {
  if (typeof cause !== 'object' || cause === null) return undefined;
  const message = String((cause as { message?: unknown }).message ?? '');
  const code = (cause as { code?: unknown }).code;
  if (typeof code === 'string' && TLS_CODE.test(code)) {
    return new RedisTlsError(
      `TLS handshake with Redis failed: ${message} (${code}); check tls.ca and the server name`,
      code,
      { cause },
    );
  }
  const names = className(cause);
  const isReply =
    /ErrorReply|SimpleError|BlobError|ReplyError/.test(names) ||
    (cause as { name?: unknown }).name === 'ReplyError';
  if (!isReply) return undefined;
  if (message.startsWith("ERR unknown command 'HELLO'")) {
    return new RedisProtocolError(
      'The Redis server does not support HELLO (Redis < 6 or a proxy): set the RESP: 2 option',
      { cause },
    );
  }
  const word = message.split(' ', 1)[0];
  if (word === 'NOPERM' || classifyReplyMessage(message) === 'auth') {
    const hint =
      word === 'NOAUTH'
        ? 'the server requires a password (set password or REDIS_PASSWORD)'
        : word === 'NOPERM'
          ? 'the user lacks a permission the handshake needs'
          : 'wrong user name or password';
    return new RedisAuthenticationError(`Redis authentication failed: ${hint} (${word})`, {
      cause,
    });
  }
  return undefined;
}

/** `error` itself when it is already a typed permanent error, else {@link permanentConnectionError}. */
export function asPermanentError(error: unknown): Error | undefined {
  return isPermanentRedisError(error) ? (error as Error) : permanentConnectionError(error);
}

/** What a node-redis 'terminated' event means for the reconnect loop. */
export type TerminationVerdict =
  /** Stop with this typed error; `socketError` is the client 'error' event to ignore. */
  | { stop: Error; socketError: unknown }
  /** Transient: reconnect, reporting this kind. */
  | { retry: RedisFailureKind };

/**
 * Reads a 'terminated' cause: node-redis wraps the strategy's return value (`originalError`:
 * our handoff marker or a typed error) with the socket error that started it.
 */
export function terminationVerdict(cause: unknown): TerminationVerdict {
  const c = cause as { originalError?: unknown; socketError?: unknown } | null;
  const original = c?.originalError ?? cause;
  const socketError = c?.socketError ?? cause;
  if (isPermanentRedisError(original)) return { stop: original as Error, socketError };
  const permanent = isReconnectHandoff(original)
    ? undefined
    : permanentConnectionError(socketError);
  if (permanent !== undefined) return { stop: permanent, socketError };
  return { retry: classifyConnectionError(socketError) };
}

/** node-redis' reconnectStrategy signature. */
export type NodeRedisReconnectStrategy = (retries: number, cause: Error) => Error;

/**
 * The strategy installed on clients the adapter creates: a typed error for permanent causes,
 * the handoff marker for everything else (never a number, never `false`).
 */
export function createReconnectStrategy(): NodeRedisReconnectStrategy {
  return (_retries, cause) => permanentConnectionError(cause) ?? makeHandoff();
}

/** Attempt counting and delays for the adapter-driven reconnect loop. */
export class ReconnectPlanner {
  private attempt = 0;
  private previous: number | undefined = undefined;

  constructor(private readonly backoff: Backoff) {}

  /** The next attempt number (0-based) and its delay in ms (finite, >= 0). */
  next(): { attempt: number; delayMs: number } {
    const attempt = this.attempt++;
    let d: number;
    try {
      d = this.backoff.delay(attempt, this.previous);
    } catch {
      d = 1000;
    }
    if (!(d >= 0) || !Number.isFinite(d)) d = 1000;
    this.previous = d;
    return { attempt, delayMs: d };
  }

  /** A connection became ready: the next drop starts from attempt 0 again. */
  reset(): void {
    this.attempt = 0;
    this.previous = undefined;
  }
}
