/**
 * Decides what an error means for availability: a {@link RedisFailureKind} (Redis could not be
 * used: count it against the breaker and take the fallback) or `'data'` (the caller's bug or a
 * legitimate reply: propagate unchanged, do not trip).
 *
 * node-redis errors all have `name === 'Error'` and no `code`, so classes are recognised by
 * walking the prototype chain's constructor names: this works for `instanceof` and for a
 * duplicate copy of the package alike. Node socket errors are recognised by `.code`; server
 * error replies (node-redis `ErrorReply`/`SimpleError`/`BlobError`, ioredis `ReplyError`) by
 * the first word of their message.
 */
import { isBrokenCircuitError, isTimeoutError } from '@breakwater/breaker';
import {
  isRedisAuthenticationError,
  isRedisConfigError,
  isRedisConnectTimeoutError,
  isRedisCorruptedReplyError,
  isRedisCorruptValueError,
  isRedisNotReadyError,
  isRedisProtocolError,
  isRedisTlsError,
  isRedisUnavailableError,
} from './errors.js';
import type { RedisFailureKind } from './types.js';

/** Result of {@link classifyRedisError}. */
export type RedisErrorClass = RedisFailureKind | 'data';

const CONNECTION_CLASSES = new Set([
  'ConnectionTimeoutError',
  'SocketClosedUnexpectedlyError',
  'SocketTimeoutError',
  'SocketTimeoutDuringMaintenanceError',
  'ClientClosedError',
  'ClientOfflineError',
  'DisconnectsClientError',
  'RootNodesUnavailableError',
  // ioredis
  'MaxRetriesPerRequestError',
  // redis-parser (ioredis): the reply stream could not be decoded; ioredis flushes its queue
  // with it and reconnects
  'ParserError',
  'ClusterAllFailedError',
]);
const TIMEOUT_CLASSES = new Set([
  'TimeoutError',
  'CommandTimeoutDuringMaintenanceError',
  'AbortError',
]);
const SERVER_CLASSES = new Set(['MaxCommandRedirectionsError', 'ScanIteratorInterruptedError']);
const DATA_CLASSES = new Set(['WatchError', 'MultiErrorReply']);
const REPLY_CLASSES = new Set(['ErrorReply', 'SimpleError', 'BlobError', 'ReplyError']);

/** First word of an error reply → kind. Anything else is a data error. */
const REPLY_PREFIXES: ReadonlyMap<string, RedisFailureKind> = new Map([
  ['LOADING', 'server'],
  ['BUSY', 'server'],
  ['MASTERDOWN', 'server'],
  ['READONLY', 'server'],
  ['CLUSTERDOWN', 'server'],
  ['TRYAGAIN', 'server'],
  ['OOM', 'server'],
  ['MISCONF', 'server'],
  ['NOREPLICAS', 'server'],
  ['MOVED', 'server'],
  ['ASK', 'server'],
  ['WRONGPASS', 'auth'],
  ['NOAUTH', 'auth'],
]);

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTCONN',
  'EADDRNOTAVAIL',
  'ERR_SOCKET_CLOSED',
  'ERR_STREAM_DESTROYED',
  'ERR_STREAM_WRITE_AFTER_END',
]);
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
]);

/** Plain-`Error` messages that mean "infrastructure" (node-redis queue, ioredis, cluster, sentinel). */
const CONNECTION_MESSAGES: readonly RegExp[] = [
  /^The queue is full$/,
  /^Connection is closed\.?$/,
  /^Stream isn't writeable/,
  /^Socket closed unexpectedly$/,
  // ioredis
  /^Socket timeout\. Expecting data/,
  /^Redis is already connecting\/connected$/,
  /^Cluster isn't ready and enableOfflineQueue/,
  /^None of startup nodes is available/,
  /^Failed to refresh slots cache/,
];
/** Plain-`Error` messages of client-side deadlines (ioredis `commandTimeout`). */
const TIMEOUT_MESSAGES: readonly RegExp[] = [/^Command timed out$/];
const UNKNOWN_INFRA_MESSAGES: readonly RegExp[] = [
  /^Cannot find node /,
  /^Too many Cluster redirections/,
  /^All sentinels are unreachable/,
  /^Cluster closed$/,
  /^None of the sentinels are available/,
  /^Couldn't connect to any sentinel node/,
  /^no valid master node/,
  /^no replicas available for read/,
];

/** Constructor names along the prototype chain, most derived first (stops at Error). */
function classNames(e: object): string[] {
  const names: string[] = [];
  let proto: unknown = Object.getPrototypeOf(e);
  for (let i = 0; i < 8 && proto !== null && proto !== Error.prototype; i++) {
    const ctor = (proto as { constructor?: { name?: unknown } }).constructor;
    if (ctor !== undefined && typeof ctor.name === 'string') names.push(ctor.name);
    proto = Object.getPrototypeOf(proto);
  }
  return names;
}

/** Kind of a server error reply from its message. */
export function classifyReplyMessage(message: string): RedisErrorClass {
  if (message.startsWith("ERR unknown command 'HELLO'")) return 'connection';
  const space = message.indexOf(' ');
  const word = space < 0 ? message : message.slice(0, space);
  return REPLY_PREFIXES.get(word) ?? 'data';
}

/**
 * Classifies `error`: a {@link RedisFailureKind} when Redis could not be used, `'data'` when the
 * error is the caller's (WRONGTYPE, syntax, wrong arity, WatchError, EXECABORT, and any error
 * that is not Redis- or network-related, e.g. a TypeError thrown by the operation itself).
 */
export function classifyRedisError(error: unknown): RedisErrorClass {
  if (typeof error !== 'object' || error === null) return 'data';
  if (isBrokenCircuitError(error)) return 'circuit-open';
  if (isTimeoutError(error)) return 'timeout';
  if (isRedisNotReadyError(error)) return 'not-ready';
  if (isRedisAuthenticationError(error)) return 'auth';
  if (isRedisTlsError(error)) return 'tls';
  if (isRedisConnectTimeoutError(error)) return 'timeout';
  if (
    isRedisProtocolError(error) ||
    isRedisUnavailableError(error) ||
    isRedisCorruptedReplyError(error)
  ) {
    return 'connection';
  }
  // Redis answered; the op found the stored value unusable (a degraded answer, counted as such
  // by executeRedisOperation, never against the breaker).
  if (isRedisConfigError(error) || isRedisCorruptValueError(error)) return 'data';

  const names = classNames(error);
  for (const n of names) {
    // ioredis' AbortError (redis-errors): a command cut off by a closed connection, not a
    // deadline. (The DOM AbortError of a caller's signal has no RedisError in its chain.)
    if (n === 'AbortError' && names.includes('RedisError')) return 'connection';
    if (n === 'ReconnectStrategyError') {
      const e = error as { originalError?: unknown; socketError?: unknown };
      const inner = classifyRedisError(e.originalError);
      return inner === 'data' || inner === 'unknown' ? socketKind(e.socketError) : inner;
    }
    if (DATA_CLASSES.has(n)) return 'data';
    if (REPLY_CLASSES.has(n)) return classifyReplyMessage(String((error as Error).message));
    if (CONNECTION_CLASSES.has(n)) return 'connection';
    if (TIMEOUT_CLASSES.has(n)) return 'timeout';
    if (SERVER_CLASSES.has(n)) return 'server';
  }
  const ownName = (error as { name?: unknown }).name;
  if (ownName === 'ReplyError') return classifyReplyMessage(String((error as Error).message));
  if (ownName === 'AbortError' || ownName === 'TimeoutError') return 'timeout';

  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (TLS_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_')) {
      return 'tls';
    }
    if (CONNECTION_CODES.has(code)) return 'connection';
  }
  const message = (error as { message?: unknown }).message;
  if (typeof message === 'string') {
    if (CONNECTION_MESSAGES.some((re) => re.test(message))) return 'connection';
    // node-redis 6.4 and ioredis 6 reject the command whose reply could not be decoded with the
    // decoder's error: the connection's fault, never the caller's.
    if (REPLY_STREAM_MESSAGES.some((re) => re.test(message))) return 'connection';
    if (TIMEOUT_MESSAGES.some((re) => re.test(message))) return 'timeout';
    if (UNKNOWN_INFRA_MESSAGES.some((re) => re.test(message))) return 'unknown';
  }
  return 'data';
}

/**
 * Whether `error` is an answer of Redis (a reply error, a WATCH abort, a transaction's errors) or
 * a value the op could not use (a corrupt value): the data errors classifyRedisError recognises,
 * as opposed to any other error it classes as data by default (a TypeError, say).
 */
export function isRedisAnswer(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  if (isRedisCorruptValueError(error)) return true;
  for (const n of classNames(error)) {
    if (DATA_CLASSES.has(n) || REPLY_CLASSES.has(n)) return true;
  }
  return (error as { name?: unknown }).name === 'ReplyError';
}

/** Kind of a socket-level error; anything unrecognised counts as `connection`. */
function socketKind(error: unknown): RedisFailureKind {
  const k = classifyRedisError(error);
  return k === 'data' || k === 'unknown' ? 'connection' : k;
}

/**
 * Kind of an error emitted by the client itself (its `'error'` event or a failed connect): such
 * errors are never the caller's, so unrecognised ones count as `connection`, not `data`.
 */
export function classifyConnectionError(error: unknown): RedisFailureKind {
  return socketKind(error);
}

/** node-redis' RESP decoder, and ioredis' "no command for this reply" / parser messages. */
const REPLY_STREAM_MESSAGES: readonly RegExp[] = [
  /^Unknown RESP type /, // node-redis RESP/decoder
  /^Command queue state error/, // ioredis: a reply arrived with no command waiting
  /^Protocol error, got /, // redis-parser (ioredis)
];

/**
 * True when `error`, emitted by a client on its own `'error'` event (never an operation's
 * rejection, where a TypeError is the caller's bug), means its **reply stream can no longer be
 * trusted**: bytes that are not RESP, or a reply no command was waiting for.
 *
 * node-redis catches such errors in its socket's 'data' handler, resets its decoder and emits
 * 'error', but keeps its queue of in-flight commands: every later reply is then matched to the
 * wrong command. The adapters therefore destroy the connection synchronously on such an error
 * (before another reply can be matched), fail its in-flight calls as `connection` and reconnect.
 * Recognised: node-redis' `Unknown RESP type …`; a `TypeError` / `RangeError` / `SyntaxError`
 * without a Node `code` (thrown by node-redis' decode path, e.g. a reply with no waiting command); redis-parser's
 * `ParserError` and ioredis' `Command queue state error` (ioredis drops the connection itself;
 * an ioredis adapter can use this predicate to report them alike).
 */
export function breaksReplyStream(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  if (
    (error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError) &&
    (error as { code?: unknown }).code === undefined // Node's own errors (ERR_…) carry a code
  ) {
    return true;
  }
  if (classNames(error).includes('ParserError')) return true;
  if ((error as { name?: unknown }).name === 'ParserError') return true;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' && REPLY_STREAM_MESSAGES.some((re) => re.test(message));
}
