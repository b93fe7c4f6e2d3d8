/**
 * The adapter's `node:diagnostics_channel` channels: connection events on named channels and a
 * `TracingChannel` around each executeRedisOperation call, for APM tools and loggers that
 * subscribe by name (the convention of undici and node-redis). Every publish is guarded by
 * `hasSubscribers`: a process where nobody subscribes builds no payload.
 *
 * A subscriber that throws is reported by Node on `process.nextTick` as an uncaught exception
 * (Node's behaviour for every channel); the call in progress is not disturbed.
 */
import { channel, tracingChannel } from 'node:diagnostics_channel';
import type { RedisConnectionState, RedisFailureKind } from './types.js';

/** Names of the adapter's diagnostics channels. */
export const REDIS_CHANNELS = Object.freeze({
  /** Connection state changes. Payload: {@link RedisConnectionMessage}. */
  connection: 'breakwater:redis:connection',
  /** Scheduled reconnect attempts. Payload: {@link RedisReconnectingMessage}. */
  reconnecting: 'breakwater:redis:reconnecting',
  /**
   * The `TracingChannel` around each executeRedisOperation call: subscribe with
   * `tracingChannel('breakwater:redis:operation')`, or to its channels
   * `tracing:breakwater:redis:operation:start|end|asyncStart|asyncEnd|error`.
   * Context: {@link RedisOperationTraceContext}.
   */
  operation: 'breakwater:redis:operation',
} as const);

/** Published on `breakwater:redis:connection`. */
export interface RedisConnectionMessage {
  /** The adapter's name. */
  readonly client: string;
  readonly from: RedisConnectionState;
  readonly to: RedisConnectionState;
  /** Clock time of the change, in ms. */
  readonly at: number;
}

/** Published on `breakwater:redis:reconnecting`. */
export interface RedisReconnectingMessage {
  /** The adapter's name. */
  readonly client: string;
  /** Attempt number, from 0. */
  readonly attempt: number;
  /** Delay before the attempt, in ms. */
  readonly delayMs: number;
  /** What ended the previous connection. */
  readonly kind: RedisFailureKind;
}

/**
 * The context object of the `breakwater:redis:operation` tracing channel: the same object is
 * published on `start`, `end`, `asyncStart`, `asyncEnd` (and `error`), so a subscriber can keep
 * per-call state on it (a span, a start time).
 */
export interface RedisOperationTraceContext {
  /** The adapter's name. */
  readonly client: string;
  /** The operation name the caller declared (third argument of executeRedisOperation). */
  readonly operation: string;
  /** Set before `asyncStart` when the call was answered by its fallback, with the reason. */
  fallback?: RedisFailureKind;
  /** Set by Node before `asyncStart`: what the call resolved with (the fallback's value too). */
  result?: unknown;
  /** Set by Node before `error`: the data error (or abort reason) the call rejected with. */
  error?: unknown;
}

/** @internal */
export const connectionChannel = channel(REDIS_CHANNELS.connection);
/** @internal */
export const reconnectingChannel = channel(REDIS_CHANNELS.reconnecting);
/** @internal */
export const operationChannel = tracingChannel<unknown, RedisOperationTraceContext>(
  REDIS_CHANNELS.operation,
);
