/**
 * The lifecycle of one client: listeners (always 'error' and 'terminated'), the
 * connection state machine, the adapter-driven reconnect loop (jittered, cancellable), the
 * per-attempt connect deadline (TCP + TLS + handshake), forced replacement of a connection whose
 * command overran its deadline or whose reply stream broke, and waiting for readiness.
 */
import { holdProcess, type Backoff, type Clock } from '@breakwater/breaker';
import type { ConnectionHooks } from './adapter-core.js';
import { breaksReplyStream, classifyConnectionError } from './classify-error.js';
import { RedisConnectTimeoutError, RedisCorruptedReplyError } from './errors.js';
import type { OperationConnection } from './execute-redis-operation.js';
import { ConnectionStatus } from './connection-status.js';
import type { WaitOutcome } from './ready-waiters.js';
import { ReconnectLoop } from './reconnect-loop.js';
import { permanentConnectionError, terminationVerdict } from './reconnect-strategy.js';
import type { RedisConnectionState, RedisFailureKind } from './types.js';

/**
 * The node-redis client surface the connection relies on (public API only). Other clients are
 * driven through a shim with the same surface and event names (see ioredis/ioredis-lifecycle.ts):
 * 'ready', 'connect' (socket up, handshake pending), 'reconnecting' (the client retries by
 * itself), 'terminated' (the client stopped retrying; the cause decides what happens next),
 * 'end' (torn down) and 'error'.
 */
export interface NodeRedisClientLike {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  destroy(): void;
  close(): Promise<void>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
  /** Lets the socket keep the process alive (node-redis; absent on other clients). */
  ref?(): void;
  /** Stops the socket keeping the process alive, for this and later sockets. */
  unref?(): void;
}

/** Options of {@link RedisConnection}. */
export interface RedisConnectionOptions extends ConnectionHooks {
  connectTimeout: number;
  reconnectBackoff: Backoff;
  clock: Clock;
  /**
   * True when the adapter created the client with its own reconnect strategy (node-redis never
   * retries by itself); false for an adopted client (wrapRedisClient) whose strategy is kept.
   */
  ownsReconnect: boolean;
  /**
   * What the lifecycle is driven through when the client itself does not have the node-redis
   * surface (an ioredis shim). @default the client
   */
  lifecycle?: NodeRedisClientLike;
}

/** Bound on a graceful `client.close()` before it is escalated to `destroy()`, in ms. */
const CLOSE_GRACE_MS = 1000;

/** One client's connection lifecycle. */
export class RedisConnection<C> implements OperationConnection<C> {
  /** Increments on every ready connection; identifies the physical connection. */
  epoch = 0;
  private readonly status: ConnectionStatus;
  private closing = false;
  private attemptGen = 0;
  private attemptStartedAt = 0;
  private watchdogTimer: unknown = undefined;
  private readonly reconnects: ReconnectLoop;
  private swallowError: unknown = undefined;
  private ownDestroy = false;
  private readonly listeners: Array<[string, (...args: unknown[]) => void]>;
  /** The client's lifecycle surface (the client itself for node-redis). */
  private readonly life: NodeRedisClientLike;

  constructor(
    readonly client: C,
    private readonly options: RedisConnectionOptions,
  ) {
    const life = (this.life = options.lifecycle ?? (client as unknown as NodeRedisClientLike));
    this.reconnects = new ReconnectLoop(
      options.reconnectBackoff,
      options.clock,
      options.onReconnecting,
    );
    this.status = new ConnectionStatus(options.clock, options);
    this.listeners = [
      ['ready', () => this.onReady()],
      ['connect', () => this.onSocketConnected()],
      ['reconnecting', () => this.onClientReconnecting()],
      ['terminated', (cause: unknown) => this.onTerminated(cause)],
      ['end', () => this.onEnd()],
    ];
    // The 'error' listener stays for the client's whole life: an unhandled 'error' crashes.
    life.on('error', (error: unknown) => this.onClientError(error));
    for (const [event, fn] of this.listeners) life.on(event, fn);
    if (life.isReady) {
      this.status.everReady = true;
      this.epoch = 1;
      this.status.state = 'ready';
    } else if (life.isOpen) {
      this.status.state = 'connecting';
    }
  }

  get notReadySince(): number {
    return this.status.notReadySince;
  }

  get state(): RedisConnectionState {
    return this.status.state;
  }

  /** Set while `state === 'failed'`: the typed permanent error. */
  get failure(): Error | undefined {
    return this.status.failure;
  }

  isReady(): boolean {
    return this.status.state === 'ready' && this.life.isReady;
  }

  /** Why calls cannot be served now. */
  notReadyCause(): Error | undefined {
    return this.status.failure;
  }

  /**
   * Connects (or keeps the running attempt) and waits up to `connectTimeout` for readiness.
   * Resolves 'ready', 'failed' (permanent error in {@link failure}), 'closed' or 'timeout'.
   */
  async connect(): Promise<WaitOutcome> {
    if (this.closing) return 'closed';
    if (this.isReady()) return 'ready';
    const status = this.status;
    if (status.state === 'failed' || status.state === 'closed') {
      status.failure = undefined;
      this.reconnects.reset();
      if (this.life.isReady) {
        this.onReady();
        return 'ready';
      }
      status.toConnecting();
      if (!this.life.isOpen) this.startAttempt();
    }
    return status.wait(this.options.connectTimeout);
  }

  waitForReady(ms: number): Promise<boolean> {
    return this.status.waitForReady(this.isReady(), ms);
  }

  /** A command sent on connection `epoch` overran its deadline: replace the connection. */
  onDeadlineOverrun(epoch: number): void {
    if (epoch !== this.epoch || this.status.state !== 'ready' || this.closing) return;
    this.replace(
      'timeout',
      new Error('a command overran its deadline; replacing the unresponsive connection'),
    );
  }

  /**
   * Destroys the socket now (its in-flight commands reject with node-redis'
   * DisconnectsClientError, kind `connection`), reports `error` and reconnects through the
   * jittered loop.
   */
  private replace(kind: RedisFailureKind, error: Error): void {
    this.attemptGen++;
    this.destroyClient();
    this.options.onError(kind, error);
    this.scheduleReconnect(kind);
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
    this.status.toClosed();
  }

  /** Stops everything: timers, waiters, the reconnect loop and the socket. Idempotent. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.clearTimers();
    this.status.toClosed();
    for (const [event, fn] of this.listeners) this.life.off(event, fn);
    const client = this.life;
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
    const release = holdProcess(); // the awaited close settles even if its socket is gone
    try {
      await Promise.race([client.close().catch(() => undefined), bounded]);
    } finally {
      release();
      this.options.clock.clearTimeout(timer);
    }
    client.destroy();
  }

  // ---- client events -----------------------------------------------------------------

  private onReady(): void {
    if (this.closing) return;
    // A ready connection keeps the process alive, as any node-redis client's does.
    if (this.options.ownsReconnect) this.life.ref?.();
    this.clearWatchdog();
    this.reconnects.reset();
    this.epoch++;
    this.status.toReady();
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
      if (gen !== this.attemptGen || this.closing || this.life.isReady) return;
      this.options.onError('timeout', new RedisConnectTimeoutError(this.options.connectTimeout));
      this.attemptGen++;
      this.destroyClient();
      this.scheduleReconnect('timeout');
    }, left);
  }

  /** node-redis retries by itself (adopted clients only). */
  private onClientReconnecting(): void {
    if (this.closing || this.options.ownsReconnect) return;
    this.status.toConnecting();
    this.options.onReconnecting({
      attempt: this.reconnects.countExternalAttempt(),
      delayMs: 0,
      kind: 'connection',
    });
  }

  /** The socket was torn down by someone else (an adopted client closed by its owner). */
  private onEnd(): void {
    if (this.closing || this.ownDestroy) return;
    this.clearTimers();
    this.attemptGen++;
    this.status.toClosed();
  }

  /** destroy() emits 'end' synchronously: mark it as ours. */
  private destroyClient(): void {
    this.ownDestroy = true;
    try {
      this.life.destroy();
    } finally {
      this.ownDestroy = false;
    }
  }

  private onClientError(error: unknown): void {
    if (error === this.swallowError) return;
    if (this.closing) return;
    if (breaksReplyStream(error) && this.life.isOpen && this.status.state !== 'failed') {
      // node-redis reset its decoder but kept its in-flight commands: the next reply would be
      // matched to the wrong one. We are inside its socket 'data' handler, so destroying now
      // comes before any further reply is decoded.
      this.replace('connection', new RedisCorruptedReplyError('the connection', { cause: error }));
      return;
    }
    const permanent = this.life.isReady ? undefined : permanentConnectionError(error);
    if (permanent !== undefined && !this.options.ownsReconnect && this.life.isOpen) {
      // An adopted client would retry a permanent failure forever: stop it.
      this.swallowError = error;
      this.destroyClient();
      this.fail(permanent);
      return;
    }
    this.options.onError(classifyConnectionError(error), error);
    if (!this.options.ownsReconnect && this.status.state === 'ready' && !this.life.isReady) {
      this.status.set('reconnecting');
    }
  }

  private onTerminated(cause: unknown): void {
    if (this.closing) return;
    const verdict = terminationVerdict(cause);
    if ('stop' in verdict) {
      this.swallowError = verdict.socketError;
      this.fail(verdict.stop);
    } else {
      this.scheduleReconnect(verdict.retry);
    }
  }

  // ---- reconnect loop ------------------------------------------------------------------

  private startAttempt(): void {
    if (this.closing || this.life.isOpen) return;
    const gen = ++this.attemptGen;
    this.attemptStartedAt = this.options.clock.now();
    // An attempt is background work: it must not keep an otherwise finished process alive
    // (a frozen server would hold it until the watchdog). Whoever awaits readiness holds the
    // process (ReadyWaiters); the socket is ref'ed again once ready.
    if (this.options.ownsReconnect) this.life.unref?.();
    this.life.connect().catch(() => {
      // 'terminated' (or the watchdog) already decided what happens next; only an attempt
      // that ended without either (an adopted client's odd path) needs a retry here.
      if (gen !== this.attemptGen || this.closing) return;
      if (this.status.state !== 'failed' && !this.reconnects.pending && !this.life.isOpen) {
        this.scheduleReconnect('connection');
      }
    });
  }

  private scheduleReconnect(kind: RedisFailureKind): void {
    if (this.closing || this.status.state === 'failed') return;
    this.clearWatchdog();
    if (this.reconnects.pending) return;
    this.status.toConnecting();
    this.reconnects.schedule(kind, () => this.startAttempt());
  }

  private fail(error: Error): void {
    this.clearTimers();
    this.status.toFailed(error);
  }

  // ---- helpers -------------------------------------------------------------------------

  private clearWatchdog(): void {
    if (this.watchdogTimer === undefined) return;
    this.options.clock.clearTimeout(this.watchdogTimer);
    this.watchdogTimer = undefined;
  }

  private clearTimers(): void {
    this.clearWatchdog();
    this.reconnects.cancel();
  }
}
