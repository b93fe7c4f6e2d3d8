/**
 * Lifecycle of a node-redis cluster or Sentinel object (the "topology client"): `connect()` with
 * the adapter's own deadline (node-redis' cluster `connect()` can hang; Sentinel's gives up only
 * after ~17 s), a degraded start that keeps retrying discovery in the background with the
 * adapter's jittered backoff, typed permanent failures, state events and readiness waiters.
 *
 * The node clients inside reconnect by themselves (see node-client-options.ts); this class only
 * (re)starts the topology client when its own `connect()` fails.
 */
import { holdProcess, type Backoff, type Clock } from '@breakwater/breaker';
import type { ConnectionHooks } from '../adapter-core.js';
import { classifyConnectionError } from '../classify-error.js';
import { ConnectionStatus } from '../connection-status.js';
import type { WaitOutcome } from '../ready-waiters.js';
import { ReconnectLoop } from '../reconnect-loop.js';
import { asPermanentError } from '../reconnect-strategy.js';
import type { RedisConnectionState, RedisFailureKind } from '../types.js';
import { AttemptSockets } from './attempt-sockets.js';

/** The surface of RedisCluster / RedisSentinel used here (public API only). */
export interface TopologyClientLike {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  destroy(): unknown;
  close(): Promise<unknown>;
}

/** Options of {@link TopologyConnection}. */
export interface TopologyConnectionOptions extends ConnectionHooks {
  /** `connect()` settles within this many ms. */
  connectTimeout: number;
  /** Delays between background discovery attempts. */
  reconnectBackoff: Backoff;
  clock: Clock;
}

/** How a wait for readiness ended. */
export type TopologyWaitOutcome = WaitOutcome;

/** Bound on a graceful close before it is escalated to `destroy()`, in ms. */
const CLOSE_GRACE_MS = 1000;

/** Drives one topology client's `connect()` and tracks its state. */
export class TopologyConnection {
  /** The last transient error of a failed `connect()` attempt. */
  lastAttemptError: unknown = undefined;
  private readonly status: ConnectionStatus;
  private closing = false;
  private attempting = false;
  /** Identifies the running attempt; an attempt given up by its deadline is ignored later. */
  private attemptGen = 0;
  private attemptTimer: unknown = undefined;
  /** The running attempt's sockets (unref'ed until ready): see attempt-sockets.ts. */
  private attemptSockets: AttemptSockets | undefined = undefined;
  private readonly reconnects: ReconnectLoop;

  constructor(
    readonly client: TopologyClientLike,
    private readonly options: TopologyConnectionOptions,
  ) {
    this.reconnects = new ReconnectLoop(
      options.reconnectBackoff,
      options.clock,
      options.onReconnecting,
    );
    this.status = new ConnectionStatus(options.clock, options);
  }

  /** See {@link ConnectionStatus.notReadySince}. */
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

  /** True once discovery succeeded and the topology client is usable. */
  isReady(): boolean {
    return this.status.state === 'ready' && this.client.isReady;
  }

  /**
   * Starts connecting (unless already connected or connecting) and waits up to
   * `connectTimeout` for readiness.
   */
  connect(): Promise<TopologyWaitOutcome> {
    if (this.closing) return Promise.resolve('closed');
    if (this.isReady()) return Promise.resolve('ready');
    const status = this.status;
    if (status.state === 'failed' || status.state === 'closed') {
      status.failure = undefined;
      this.reconnects.reset();
      status.toConnecting();
      this.attempt();
    }
    return status.wait(this.options.connectTimeout);
  }

  /** Resolves true once ready, false after `ms` or when it cannot become ready. */
  waitForReady(ms: number): Promise<boolean> {
    return this.status.waitForReady(this.isReady(), ms);
  }

  /** The topology client reports it is usable again (Sentinel 'ready' after a reconfigure). */
  markReady(): void {
    if (this.closing || !this.client.isReady) return;
    this.reconnects.reset();
    this.status.toReady();
  }

  /** The topology client is reconfiguring (Sentinel 'reconnecting'). */
  markReconnecting(): void {
    if (this.closing || this.status.state !== 'ready') return;
    this.status.set('reconnecting');
  }

  /**
   * An error the topology client emitted. Before the first ready connection a permanent cause
   * (wrong password, TLS, protocol) will not go away by retrying, and node-redis reports it only
   * as an event (discovery ends with RootNodesUnavailableError, Sentinel retries for ~17 s):
   * fail at once with the typed error. Returns true when it did.
   */
  failIfPermanent(error: unknown): boolean {
    if (this.closing || this.status.everReady || this.status.state !== 'connecting') return false;
    const permanent = asPermanentError(error);
    if (permanent === undefined) return false;
    this.fail(permanent);
    return true;
  }

  /**
   * A connection inside the topology client can no longer be trusted (its reply stream broke,
   * see breaksReplyStream): destroys the whole client now and connects it again at once.
   * node-redis' Sentinel destroys its master, replica and sentinel clients synchronously when
   * no reconfiguration is in flight, so no further reply is matched; commands it had in flight
   * on the master re-run on the new connection (node-redis' own retry after a disconnect) or
   * fall back at their deadline. Reports `error` (kind `connection`). Returns false when the
   * client is not open or has never been ready (nothing to restart).
   */
  restart(error: Error): boolean {
    const state = this.status.state;
    // Before the first ready connection no call has been sent: the attempt's own outcome decides.
    if (this.closing || !this.client.isOpen || (state !== 'ready' && state !== 'reconnecting')) {
      return false;
    }
    if (state === 'ready') this.status.set('reconnecting');
    const destroyed = this.destroyClient();
    this.options.onError('connection', error);
    // Reconnecting before the destroyed commands' rejections run makes node-redis' Sentinel
    // retry them on the new master connection instead of on a client list it just emptied.
    if (!this.client.isOpen) this.attempt();
    else void destroyed.then(() => this.attempt());
    return true;
  }

  /** Stops connecting without closing for good: state 'closed'; `connect()` starts over. */
  stop(): void {
    if (this.closing) return;
    this.reconnects.cancel();
    this.clearAttemptTimer();
    this.destroyClient();
    this.status.toClosed();
  }

  /** Stops everything: timers, waiters and the client's sockets. Idempotent. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.reconnects.cancel();
    this.clearAttemptTimer();
    this.status.toClosed();
    const client = this.client;
    let timer: unknown;
    const bounded = new Promise<void>((resolve) => {
      timer = this.options.clock.setTimeout(resolve, CLOSE_GRACE_MS);
    });
    const release = holdProcess(); // the awaited close settles even if no socket is left
    try {
      if (client.isOpen && client.isReady) {
        await Promise.race([client.close().catch(() => undefined), bounded]);
      }
      // destroy() is idempotent; Sentinel's waits for an in-flight discovery round: bound it too.
      await Promise.race([this.destroyClient(), bounded]);
    } finally {
      release();
      this.options.clock.clearTimeout(timer);
    }
  }

  // ---- attempts --------------------------------------------------------------------------

  /**
   * One discovery attempt, bounded by `connectTimeout` like a single server's: node-redis'
   * own `connect()` can hang on a frozen seed, and Sentinel's retries for ~17 s on ref'ed
   * timers, which would keep a finished process alive that long. An overdue attempt is
   * destroyed and the adapter's (unref'ed, jittered) loop tries again.
   */
  private attempt(): void {
    if (this.closing || this.attempting || this.client.isOpen) return;
    this.attempting = true;
    const gen = ++this.attemptGen;
    const clock = this.options.clock;
    this.attemptTimer = clock.setTimeout(
      () => this.onAttemptOverdue(gen),
      this.options.connectTimeout,
    );
    const sockets = new AttemptSockets();
    this.attemptSockets = sockets;
    const current = (ready: boolean): boolean => {
      if (gen !== this.attemptGen) return false;
      clock.clearTimeout(this.attemptTimer);
      this.attemptTimer = undefined;
      this.endAttemptSockets(ready && !this.closing);
      return true;
    };
    sockets
      .run(() => this.client.connect())
      .then(
        () => {
          if (!current(true)) return;
          this.attempting = false;
          if (this.closing) return;
          this.lastAttemptError = undefined;
          this.markReady();
        },
        (error: unknown) => {
          if (!current(false)) return;
          this.attempting = false;
          const state = this.status.state;
          if (this.closing || state === 'closed' || state === 'failed') return;
          const permanent = asPermanentError(error);
          if (permanent !== undefined) {
            this.fail(permanent);
            return;
          }
          this.lastAttemptError = error;
          const kind = classifyConnectionError(error);
          this.options.onError(kind, error);
          this.scheduleRetry(kind);
        },
      );
  }

  private onAttemptOverdue(gen: number): void {
    this.attemptTimer = undefined;
    if (gen !== this.attemptGen || this.closing) return;
    this.attemptGen++;
    // The overdue attempt's teardown is background work too: Sentinel's destroy() waits out its
    // discovery loop, which may just have started a 1 s (ref'ed) sleep (a frozen TLS sentinel:
    // the handshake times out with the attempt). Its timers stay unref'ed until the destroy
    // settles, for CLOSE_GRACE_MS at most (the tracking costs every promise while it is on).
    const sockets = this.attemptSockets;
    this.attemptSockets = undefined;
    const clock = this.options.clock;
    const grace = clock.setTimeout(() => sockets?.end(false), CLOSE_GRACE_MS);
    const destroyed = this.destroyClient().finally(() => {
      clock.clearTimeout(grace);
      sockets?.end(false);
    });
    void destroyed.then(() => {
      this.attempting = false;
      const state = this.status.state;
      if (this.closing || state === 'closed' || state === 'failed' || state === 'ready') return;
      this.scheduleRetry('timeout');
    });
  }

  /** Stops the running attempt's deadline (stop, close, failure). */
  private clearAttemptTimer(): void {
    this.endAttemptSockets(false);
    if (this.attemptTimer === undefined) return;
    this.options.clock.clearTimeout(this.attemptTimer);
    this.attemptTimer = undefined;
  }

  /** The running attempt ended: its sockets hold the process again only if it got `ready`. */
  private endAttemptSockets(ready: boolean): void {
    this.attemptSockets?.end(ready);
    this.attemptSockets = undefined;
  }

  private scheduleRetry(kind: RedisFailureKind): void {
    if (this.closing || this.reconnects.pending) return;
    this.status.toConnecting();
    this.reconnects.schedule(kind, () => this.attempt());
  }

  private fail(error: Error): void {
    this.reconnects.cancel();
    this.clearAttemptTimer();
    this.status.toFailed(error);
    this.destroyClient();
  }

  private async destroyClient(): Promise<void> {
    try {
      await this.client.destroy();
    } catch {
      // already closed
    }
  }
}
