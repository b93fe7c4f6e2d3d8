/**
 * The lifecycle of one node-redis client: listeners (always 'error' and 'terminated'), the
 * connection state machine, the adapter-driven reconnect loop (jittered, cancellable), the
 * per-attempt connect deadline (TCP + TLS + handshake), forced replacement of a connection whose
 * command overran its deadline, and waiting for readiness.
 */
import type { Clock } from '@breakwater/breaker';
import { classifyConnectionError } from './classify-error.js';
import { RedisConnectTimeoutError, isPermanentRedisError } from './errors.js';
import type { OperationConnection } from './execute-redis-operation.js';
import { ReadyWaiters, type WaitOutcome } from './ready-waiters.js';
import {
  ReconnectPlanner,
  isReconnectHandoff,
  permanentConnectionError,
} from './reconnect-strategy.js';
import type { Backoff } from '@breakwater/breaker';
import type { RedisAdapterEvents, RedisConnectionState, RedisFailureKind } from './types.js';

/** The node-redis client surface the connection relies on (public API only). */
export interface NodeRedisClientLike {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  destroy(): void;
  close(): Promise<void>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** Options of {@link RedisConnection}. */
export interface RedisConnectionOptions {
  connectTimeout: number;
  reconnectBackoff: Backoff;
  clock: Clock;
  /**
   * True when the adapter created the client with its own reconnect strategy (node-redis never
   * retries by itself); false for an adopted client (wrapRedisClient) whose strategy is kept.
   */
  ownsReconnect: boolean;
  onStateChange(payload: RedisAdapterEvents['connectionState']): void;
  onReconnecting(payload: RedisAdapterEvents['reconnecting']): void;
  /** A connection-level error (already classified); for reporting and health. */
  onError(kind: RedisFailureKind, error: unknown): void;
}

/** Bound on a graceful `client.close()` before it is escalated to `destroy()`, in ms. */
const CLOSE_GRACE_MS = 1000;

/** One client's connection lifecycle. */
export class RedisConnection<C extends NodeRedisClientLike> implements OperationConnection<C> {
  state: RedisConnectionState = 'closed';
  /** Increments on every ready connection; identifies the physical connection. */
  epoch = 0;
  /** Set while `state === 'failed'`: the typed permanent error. */
  failure: Error | undefined = undefined;
  private everReady = false;
  private closing = false;
  private attemptGen = 0;
  private attemptStartedAt = 0;
  private reconnectTimer: unknown = undefined;
  private watchdogTimer: unknown = undefined;
  private readonly waiters: ReadyWaiters;
  private readonly planner: ReconnectPlanner;
  private swallowError: unknown = undefined;
  private ownDestroy = false;
  private readonly listeners: Array<[string, (...args: unknown[]) => void]>;

  constructor(
    readonly client: C,
    private readonly options: RedisConnectionOptions,
  ) {
    this.planner = new ReconnectPlanner(options.reconnectBackoff);
    this.waiters = new ReadyWaiters(options.clock);
    this.listeners = [
      ['ready', () => this.onReady()],
      ['connect', () => this.onSocketConnected()],
      ['reconnecting', () => this.onClientReconnecting()],
      ['terminated', (cause: unknown) => this.onTerminated(cause)],
      ['end', () => this.onEnd()],
    ];
    // The 'error' listener stays for the client's whole life: an unhandled 'error' crashes.
    client.on('error', (error: unknown) => this.onClientError(error));
    for (const [event, fn] of this.listeners) client.on(event, fn);
    if (client.isReady) {
      this.everReady = true;
      this.epoch = 1;
      this.state = 'ready';
    } else if (client.isOpen) {
      this.state = 'connecting';
    }
  }

  isReady(): boolean {
    return this.state === 'ready' && this.client.isReady;
  }

  /** Why calls cannot be served now. */
  notReadyCause(): Error | undefined {
    return this.failure;
  }

  /**
   * Connects (or keeps the running attempt) and waits up to `connectTimeout` for readiness.
   * Resolves 'ready', 'failed' (permanent error in {@link failure}), 'closed' or 'timeout'.
   */
  async connect(): Promise<WaitOutcome> {
    if (this.closing) return 'closed';
    if (this.isReady()) return 'ready';
    if (this.state === 'failed' || this.state === 'closed') {
      this.failure = undefined;
      this.planner.reset();
      if (this.client.isReady) {
        this.onReady();
        return 'ready';
      }
      this.setState(this.everReady ? 'reconnecting' : 'connecting');
      if (!this.client.isOpen) this.startAttempt();
    }
    return this.waiters.wait(this.options.connectTimeout);
  }

  async waitForReady(ms: number): Promise<boolean> {
    if (this.isReady()) return true;
    if (ms <= 0 || this.state === 'failed' || this.state === 'closed') return false;
    return (await this.waiters.wait(ms)) === 'ready';
  }

  /** A command sent on connection `epoch` overran its deadline: replace the connection. */
  onDeadlineOverrun(epoch: number): void {
    if (epoch !== this.epoch || this.state !== 'ready' || this.closing) return;
    this.options.onError(
      'timeout',
      new Error('a command overran its deadline; replacing the unresponsive connection'),
    );
    this.attemptGen++;
    this.destroyClient();
    this.scheduleReconnect('timeout');
  }

  /**
   * Stops connecting (timers, the socket) without closing the adapter: state 'closed', and a
   * later {@link connect} starts over. Used when `requireConnection` gives up.
   */
  stop(): void {
    if (this.closing) return;
    this.clearTimers();
    this.attemptGen++;
    this.destroyClient();
    this.setState('closed');
    this.waiters.settle('closed');
  }

  /** Stops everything: timers, waiters, the reconnect loop and the socket. Idempotent. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.clearTimers();
    this.waiters.settle('closed');
    this.setState('closed');
    for (const [event, fn] of this.listeners) this.client.off(event, fn);
    const client = this.client;
    if (!client.isOpen) {
      client.destroy(); // idempotent; clears node-redis' ping timer
      return;
    }
    if (!client.isReady) {
      client.destroy();
      return;
    }
    let timer: unknown;
    const bounded = new Promise<void>((resolve) => {
      timer = this.options.clock.setTimeout(resolve, CLOSE_GRACE_MS);
    });
    await Promise.race([client.close().catch(() => undefined), bounded]);
    this.options.clock.clearTimeout(timer);
    client.destroy();
  }

  // ---- client events -----------------------------------------------------------------

  private onReady(): void {
    if (this.closing) return;
    this.clearWatchdog();
    this.planner.reset();
    this.epoch++;
    this.everReady = true;
    this.failure = undefined;
    this.setState('ready');
    this.waiters.settle('ready');
  }

  /** TCP/TLS is up; the handshake must finish within what is left of `connectTimeout`. */
  private onSocketConnected(): void {
    if (!this.options.ownsReconnect || this.closing) return;
    this.clearWatchdog();
    const clock = this.options.clock;
    const left = Math.max(50, this.options.connectTimeout - (clock.now() - this.attemptStartedAt));
    const gen = this.attemptGen;
    this.watchdogTimer = clock.setTimeout(() => {
      this.watchdogTimer = undefined;
      if (gen !== this.attemptGen || this.closing || this.client.isReady) return;
      this.options.onError('timeout', new RedisConnectTimeoutError(this.options.connectTimeout));
      this.attemptGen++;
      this.destroyClient();
      this.scheduleReconnect('timeout');
    }, left);
  }

  /** node-redis retries by itself (adopted clients only). */
  private onClientReconnecting(): void {
    if (this.closing || this.options.ownsReconnect) return;
    this.setState(this.everReady ? 'reconnecting' : 'connecting');
    this.options.onReconnecting({
      attempt: this.planner.next().attempt,
      delayMs: 0,
      kind: 'connection',
    });
  }

  /** The socket was torn down by someone else (an adopted client closed by its owner). */
  private onEnd(): void {
    if (this.closing || this.ownDestroy) return;
    this.clearTimers();
    this.attemptGen++;
    this.setState('closed');
    this.waiters.settle('closed');
  }

  /** destroy() emits 'end' synchronously: mark it as ours. */
  private destroyClient(): void {
    this.ownDestroy = true;
    try {
      this.client.destroy();
    } finally {
      this.ownDestroy = false;
    }
  }

  private onClientError(error: unknown): void {
    if (error === this.swallowError) return;
    if (this.closing) return;
    const permanent = this.client.isReady ? undefined : permanentConnectionError(error);
    if (permanent !== undefined && !this.options.ownsReconnect && this.client.isOpen) {
      // An adopted client would retry a permanent failure forever: stop it.
      this.swallowError = error;
      this.destroyClient();
      this.fail(permanent);
      return;
    }
    this.options.onError(classifyConnectionError(error), error);
    if (!this.options.ownsReconnect && this.state === 'ready' && !this.client.isReady) {
      this.setState('reconnecting');
    }
  }

  private onTerminated(cause: unknown): void {
    if (this.closing) return;
    const c = cause as { originalError?: unknown; socketError?: unknown } | null;
    const original = c?.originalError ?? cause;
    const socketError = c?.socketError ?? cause;
    if (isPermanentRedisError(original)) {
      this.swallowError = socketError;
      this.fail(original as Error);
      return;
    }
    const permanent = isReconnectHandoff(original)
      ? undefined
      : permanentConnectionError(socketError);
    if (permanent !== undefined) {
      this.swallowError = socketError;
      this.fail(permanent);
      return;
    }
    this.scheduleReconnect(classifyConnectionError(socketError));
  }

  // ---- reconnect loop ------------------------------------------------------------------

  private startAttempt(): void {
    if (this.closing || this.client.isOpen) return;
    const gen = ++this.attemptGen;
    this.attemptStartedAt = this.options.clock.now();
    this.client.connect().catch(() => {
      // 'terminated' (or the watchdog) already decided what happens next; only an attempt
      // that ended without either (an adopted client's odd path) needs a retry here.
      if (gen !== this.attemptGen || this.closing) return;
      if (this.state !== 'failed' && this.reconnectTimer === undefined && !this.client.isOpen) {
        this.scheduleReconnect('connection');
      }
    });
  }

  private scheduleReconnect(kind: RedisFailureKind): void {
    if (this.closing || this.state === 'failed') return;
    this.clearWatchdog();
    if (this.reconnectTimer !== undefined) return;
    this.setState(this.everReady ? 'reconnecting' : 'connecting');
    const { attempt, delayMs } = this.planner.next();
    this.options.onReconnecting({ attempt, delayMs, kind });
    this.reconnectTimer = this.options.clock.setTimeout(() => {
      this.reconnectTimer = undefined;
      this.startAttempt();
    }, delayMs);
  }

  private fail(error: Error): void {
    this.clearTimers();
    this.failure = error;
    this.options.onError(classifyConnectionError(error), error);
    this.setState('failed');
    this.waiters.settle('failed');
  }

  // ---- helpers -------------------------------------------------------------------------

  private setState(to: RedisConnectionState): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    this.options.onStateChange({ from, to, at: this.options.clock.now() });
  }

  private clearWatchdog(): void {
    if (this.watchdogTimer === undefined) return;
    this.options.clock.clearTimeout(this.watchdogTimer);
    this.watchdogTimer = undefined;
  }

  private clearTimers(): void {
    this.clearWatchdog();
    if (this.reconnectTimer !== undefined) {
      this.options.clock.clearTimeout(this.reconnectTimer);
      this.reconnectTimer = undefined;
    }
  }
}
