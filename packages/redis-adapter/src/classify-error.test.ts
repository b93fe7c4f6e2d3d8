import { describe, expect, it } from 'vitest';
import { BrokenCircuitError, TimeoutError as BreakerTimeoutError } from '@breakwater/breaker';
import {
  AbortError,
  BlobError,
  ClientClosedError,
  ClientOfflineError,
  ConnectionTimeoutError,
  DisconnectsClientError,
  MaxCommandRedirectionsError,
  MultiErrorReply,
  ReconnectStrategyError,
  RootNodesUnavailableError,
  SimpleError,
  SocketClosedUnexpectedlyError,
  SocketTimeoutDuringMaintenanceError,
  SocketTimeoutError,
  TimeoutError,
  WatchError,
} from 'redis';
import {
  CommandTimeoutDuringMaintenanceError as IoCommandTimeoutDuringMaintenanceError,
  MaxRetriesPerRequestError as IoMaxRetriesPerRequestError,
  ReplyError as IoReplyErrorValue,
  SocketTimeoutDuringMaintenanceError as IoSocketTimeoutDuringMaintenanceError,
  WatchError as IoWatchError,
} from 'ioredis';
import {
  breaksReplyStream,
  classifyConnectionError,
  classifyRedisError,
  isRedisAnswer,
} from './classify-error.js';
import {
  RedisAuthenticationError,
  RedisConnectTimeoutError,
  RedisCorruptedReplyError,
  RedisCorruptValueError,
  RedisNotReadyError,
  isRedisCorruptedReplyError,
  RedisProtocolError,
  RedisTlsError,
} from './errors.js';

const sys = (code: string, message = code): Error => Object.assign(new Error(message), { code });
/** A class with the same name as node-redis' but from "another copy of the package". */
const duplicate = (name: string, message = ''): Error => {
  const C = { [name]: class extends Error {} }[name]!;
  return new C(message);
};

describe('classifyRedisError', () => {
  const table: Array<[string, unknown, string]> = [
    [
      'BrokenCircuitError',
      new BrokenCircuitError({
        breakerName: 'r',
        state: 'open',
        reason: 'open',
        retryAfter: 1,
        nextRetryTime: 1,
      }),
      'circuit-open',
    ],
    ['breaker TimeoutError', new BreakerTimeoutError(100), 'timeout'],
    ['RedisNotReadyError', new RedisNotReadyError('reconnecting'), 'not-ready'],
    ['RedisAuthenticationError', new RedisAuthenticationError('x'), 'auth'],
    ['RedisTlsError', new RedisTlsError('x', 'CERT_HAS_EXPIRED'), 'tls'],
    ['RedisProtocolError', new RedisProtocolError('x'), 'connection'],
    ['RedisConnectTimeoutError', new RedisConnectTimeoutError(10), 'timeout'],
    ['SocketClosedUnexpectedlyError', new SocketClosedUnexpectedlyError(), 'connection'],
    ['SocketTimeoutError', new SocketTimeoutError(10), 'connection'],
    [
      'SocketTimeoutDuringMaintenanceError',
      new SocketTimeoutDuringMaintenanceError(10),
      'connection',
    ],
    ['ConnectionTimeoutError', new ConnectionTimeoutError(), 'connection'],
    ['ClientClosedError', new ClientClosedError(), 'connection'],
    ['ClientOfflineError', new ClientOfflineError(), 'connection'],
    ['DisconnectsClientError', new DisconnectsClientError(), 'connection'],
    ['RootNodesUnavailableError', new RootNodesUnavailableError(), 'connection'],
    ['node-redis TimeoutError (empty message)', new TimeoutError(), 'timeout'],
    ['AbortError', new AbortError(), 'timeout'],
    ['MaxCommandRedirectionsError', new MaxCommandRedirectionsError(), 'server'],
    [
      'ReconnectStrategyError(ECONNREFUSED)',
      new ReconnectStrategyError(new Error('x'), sys('ECONNREFUSED')),
      'connection',
    ],
    [
      'ReconnectStrategyError(auth)',
      new ReconnectStrategyError(new RedisAuthenticationError('x'), new SimpleError('WRONGPASS')),
      'auth',
    ],
    ['LOADING', new SimpleError('LOADING Redis is loading the dataset in memory'), 'server'],
    ['BUSY', new SimpleError('BUSY Redis is busy running a script'), 'server'],
    ['MASTERDOWN', new SimpleError('MASTERDOWN Link with MASTER is down'), 'server'],
    [
      'READONLY',
      new SimpleError("READONLY You can't write against a read only replica."),
      'server',
    ],
    ['CLUSTERDOWN', new SimpleError('CLUSTERDOWN The cluster is down'), 'server'],
    ['TRYAGAIN', new SimpleError('TRYAGAIN Multiple keys request during rehashing'), 'server'],
    ['OOM', new SimpleError("OOM command not allowed when used memory > 'maxmemory'."), 'server'],
    ['MISCONF', new SimpleError('MISCONF Redis is configured to save RDB snapshots'), 'server'],
    ['NOREPLICAS', new SimpleError('NOREPLICAS Not enough good replicas to write.'), 'server'],
    ['WRONGPASS', new SimpleError('WRONGPASS invalid username-password pair'), 'auth'],
    ['NOAUTH', new SimpleError('NOAUTH Authentication required.'), 'auth'],
    [
      'unknown HELLO',
      new SimpleError("ERR unknown command 'HELLO', with args beginning with: "),
      'connection',
    ],
    ['BlobError LOADING', new BlobError('LOADING x'), 'server'],
    [
      'WRONGTYPE',
      new SimpleError('WRONGTYPE Operation against a key holding the wrong kind of value'),
      'data',
    ],
    ['syntax', new SimpleError('ERR syntax error'), 'data'],
    ['arity', new SimpleError("ERR wrong number of arguments for 'get' command"), 'data'],
    ['not an integer', new SimpleError('ERR value is not an integer or out of range'), 'data'],
    [
      'BUSYKEY (data, not BUSY)',
      new SimpleError('BUSYKEY Target key name already exists.'),
      'data',
    ],
    ['NOPERM on a command', new SimpleError('NOPERM this user has no permissions'), 'data'],
    [
      'EXECABORT',
      new SimpleError('EXECABORT Transaction discarded because of previous errors.'),
      'data',
    ],
    ['NOSCRIPT', new SimpleError('NOSCRIPT No matching script.'), 'data'],
    ['WatchError', new WatchError(), 'data'],
    ['MultiErrorReply', new MultiErrorReply([new SimpleError('ERR x')], [0]), 'data'],
    ['ECONNRESET', sys('ECONNRESET', 'read ECONNRESET'), 'connection'],
    ['ECONNREFUSED', sys('ECONNREFUSED'), 'connection'],
    ['EPIPE', sys('EPIPE'), 'connection'],
    ['ENOTFOUND', sys('ENOTFOUND'), 'connection'],
    ['self-signed', sys('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), 'tls'],
    ['altname', sys('ERR_TLS_CERT_ALTNAME_INVALID'), 'tls'],
    ['ssl version', sys('ERR_SSL_WRONG_VERSION_NUMBER'), 'tls'],
    ['queue full', new Error('The queue is full'), 'connection'],
    ['ioredis closed', new Error('Connection is closed.'), 'connection'],
    [
      'ioredis offline',
      new Error("Stream isn't writeable and enableOfflineQueue options is false"),
      'connection',
    ],
    [
      'ioredis ReplyError WRONGTYPE',
      Object.assign(new Error('WRONGTYPE x'), { name: 'ReplyError' }),
      'data',
    ],
    [
      'ioredis ReplyError LOADING',
      Object.assign(new Error('LOADING x'), { name: 'ReplyError' }),
      'server',
    ],
    ['cluster node missing', new Error('Cannot find node 127.0.0.1:7000'), 'unknown'],
    ['sentinel', new Error('None of the sentinels are available'), 'unknown'],
    [
      'duplicate copy: SocketClosedUnexpectedlyError',
      duplicate('SocketClosedUnexpectedlyError'),
      'connection',
    ],
    ['duplicate copy: SimpleError READONLY', duplicate('SimpleError', 'READONLY x'), 'server'],
    ['caller bug: TypeError', new TypeError('x is not a function'), 'data'],
    [
      'RedisCorruptedReplyError',
      new RedisCorruptedReplyError('the connection', { cause: new Error('x') }),
      'connection',
    ],
    ['ioredis/redis-parser ParserError', duplicate('ParserError', 'Protocol error'), 'connection'],
    ['a thrown string', 'oops', 'data'],
    ['null', null, 'data'],
  ];
  it.each(table)('%s → %s', (_label, error, expected) => {
    expect(classifyRedisError(error)).toBe(expected);
  });

  it('classifies the errors ioredis 6 raises, by their real classes', () => {
    // ioredis' parent of MaxRetriesPerRequestError is redis-errors' AbortError: a command cut off
    // by a closed connection.
    const IoAbortError = Object.getPrototypeOf(IoMaxRetriesPerRequestError) as new (
      message: string,
    ) => Error;
    const IoReplyError = IoReplyErrorValue as new (message: string) => Error;
    const cases: Array<[unknown, string]> = [
      [new IoAbortError('Command aborted due to connection close'), 'connection'],
      [new IoMaxRetriesPerRequestError(0), 'connection'],
      [new IoWatchError(), 'data'],
      [new IoReplyError('WRONGTYPE Operation against a key'), 'data'],
      [new IoReplyError('LOADING Redis is loading'), 'server'],
      [new IoReplyError('WRONGPASS invalid username-password pair'), 'auth'],
      [new IoCommandTimeoutDuringMaintenanceError(100), 'timeout'],
      [new IoSocketTimeoutDuringMaintenanceError(100), 'connection'],
      [new Error('Command timed out'), 'timeout'],
      [new Error("Socket timeout. Expecting data, but didn't receive any in 50ms."), 'connection'],
      [new Error("Cluster isn't ready and enableOfflineQueue options is false"), 'connection'],
      [new Error('Too many Cluster redirections. Last error: x'), 'unknown'],
    ];
    for (const [error, kind] of cases)
      expect([error, classifyRedisError(error)]).toEqual([error, kind]);
    // The caller's own abort (a DOMException AbortError) stays a timeout-kind neutral abort.
    expect(classifyRedisError(new DOMException('aborted', 'AbortError'))).toBe('timeout');
  });

  it('classifyConnectionError never answers data', () => {
    expect(classifyConnectionError(new Error('weird'))).toBe('connection');
    expect(classifyConnectionError(new SimpleError('NOPERM x'))).toBe('connection');
    expect(classifyConnectionError(new SimpleError('WRONGPASS x'))).toBe('auth');
  });
});

describe('isRedisAnswer', () => {
  it('is true for what Redis answered, false for errors classed as data only by default', () => {
    expect(isRedisAnswer(new SimpleError('WRONGTYPE Operation against a key'))).toBe(true);
    expect(isRedisAnswer(new WatchError())).toBe(true);
    expect(isRedisAnswer(new RedisCorruptValueError())).toBe(true);
    expect(isRedisAnswer(new IoReplyErrorValue('ERR syntax error'))).toBe(true);
    expect(isRedisAnswer(duplicate('ErrorReply', 'ERR wrong number of arguments'))).toBe(true);
    // node-redis' Sentinel, destroyed under a command in flight, rejects it with this.
    const internal = new TypeError("Cannot read properties of undefined (reading 'isReady')");
    expect(classifyRedisError(internal)).toBe('data');
    expect(isRedisAnswer(internal)).toBe(false);
    expect(isRedisAnswer(new Error('anything'))).toBe(false);
    expect(isRedisAnswer('a string')).toBe(false);
    expect(isRedisAnswer(null)).toBe(false);
  });
});

describe('breaksReplyStream', () => {
  const table: Array<[string, unknown, boolean]> = [
    // node-redis RESP/decoder.ts, thrown in the socket's 'data' handler and emitted as 'error'
    ['node-redis decoder: unknown type byte', new Error('Unknown RESP type 88 "X"'), true],
    // node-redis commands-queue: a reply with no command waiting (`shift()` of an empty list)
    [
      'node-redis: reply with no waiting command',
      new TypeError("Cannot read properties of undefined (reading 'resolve')"),
      true,
    ],
    [
      'redis-parser ParserError (ioredis)',
      duplicate('ParserError', 'Protocol error, got "X"'),
      true,
    ],
    [
      'ioredis: reply with no waiting command',
      new Error('Command queue state error. If you can reproduce this, please report it.'),
      true,
    ],
    ['socket reset', sys('ECONNRESET'), false],
    ['Node TypeError with a code', Object.assign(new TypeError('bad'), { code: 'ERR_X' }), false],
    ['socket closed', new SocketClosedUnexpectedlyError(), false],
    ['error reply', new SimpleError('ERR unknown command'), false],
    ['WRONGPASS on the handshake', new SimpleError('WRONGPASS invalid'), false],
    ['a string', 'Unknown RESP type', false],
    ['null', null, false],
  ];
  it.each(table)('%s → %s', (_label, error, expected) => {
    expect(breaksReplyStream(error)).toBe(expected);
  });

  it('RedisCorruptedReplyError names the connection, keeps the cause and has a guard', () => {
    const cause = new Error('Unknown RESP type 88 "X"');
    const e = new RedisCorruptedReplyError('node 127.0.0.1:7000', { cause });
    expect(e.name).toBe('RedisCorruptedReplyError');
    expect(e.connection).toBe('node 127.0.0.1:7000');
    expect(e.cause).toBe(cause);
    expect(e.message).toContain('node 127.0.0.1:7000');
    expect(e.message).toContain('Unknown RESP type 88');
    expect(isRedisCorruptedReplyError(e)).toBe(true);
    expect(isRedisCorruptedReplyError(cause)).toBe(false);
  });
});
