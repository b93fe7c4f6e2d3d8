/**
 * Lifecycle of a node-redis cluster or Sentinel object (the "topology client"): `connect()` with
 * the adapter's own deadline (node-redis' cluster `connect()` can hang; Sentinel's gives up only
 * after ~17 s), a degraded start that keeps retrying discovery in the background with the
 * adapter's jittered backoff, typed permanent failures, state events and readiness waiters.
 *
 * The node clients inside reconnect by themselves (see node-client-options.ts); this class only
 * (re)starts the topology client when its own `connect()` fails.
 */
import type { Backoff, Clock } from '@breakwater/breaker';
import { classifyConnectionError } from '../classify-error.js';
import { isPermanentRedisError } from '../errors.js';
import { ReconnectPlanner, permanentConnectionError } from '../reconnect-strategy.js';
import type { RedisAdapterEvents, RedisConnectionState, RedisFailureKind } from '../types.js';

/** The surface of RedisCluster / RedisSentinel used here (public API only). */
export interface TopologyClientLike {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  destroy(): unknown;
  close(): Promise<unknown>;
}

/** Options of {@link TopologyConnection}. */
export interface TopologyConnectionOptions {
  /** `connect()` settles within this many ms. */
  connectTimeout: number;
  /** Delays between background discovery attempts. */
  reconnectBackoff: Backoff;
  clock: Clock;
  onStateChange(payload: RedisAdapterEvents['connectionState']): void;
  onReconnecting(payload: RedisAdapterEvents['reconnecting']): void;
  /** A connection-level error (classified); for reporting and health. */
  onError(kind: RedisFailureKind, error: unknown): void;
}

/** How a wait for readiness ended. */
export type TopologyWaitOutcome = 'ready' | 'failed' | 'closed' | 'timeout';

interface Waiter {
  resolve(outcome: TopologyWaitOutcome): void;
  timer: unknown;
}

/** Bound on a graceful close before it is escalated to `destroy()`, in ms. */
const CLOSE_GRACE_MS = 1000;

/** Drives one topology client's `connect()` and tracks its state. */
export class TopologyConnection {
  state: RedisConnectionState = 'closed';
  /** Set while `state === 'failed'`: the typed permanent error. */
  failure: Error | undefined = undefined;
  /** The last transient error of a failed `connect()` attempt. */
  lastAttemptError: unknown = undefined;
  private everReady = false;
  private closing = false;
  private attempting = false;
  private retryTimer: unknown = undefined;
  private readonly planner: ReconnectPlanner;
  private readonly waiters = new Set<Waiter>();

  constructor(
    readonly client: TopologyClientLike,
    private readonly options: TopologyConnectionOptions,
  ) {
    this.planner = new ReconnectPlanner(options.reconnectBackoff);
  }

  /** True once discovery succeeded and the topology client is usable. */
  isReady(): boolean {
    return this.state === 'ready' && this.client.isReady;
  }

  /**
   * Starts connecting (unless already connected or connecting) and waits up to
   * `connectTimeout` for readiness.
   */
  connect(): Promise<TopologyWaitOutcome> {
    if (this.closing) return Promise.resolve('closed');
    if (this.isReady()) return Promise.resolve('ready');
    if (this.state === 'failed' || this.state === 'closed') {
      this.failure = undefined;
      this.planner.reset();
      this.setState(this.everReady ? 'reconnecting' : 'connecting');
      this.attempt();
    }
    return this.waitFor(this.options.connectTimeout);
  }

  /** Resolves true once ready, false after `ms` or when it cannot become ready. */
  async waitForReady(ms: number): Promise<boolean> {
    if (this.isReady()) return true;
    if (ms <= 0 || this.state === 'failed' || this.state === 'closed') return false;
    return (await this.waitFor(ms)) === 'ready';
  }

  /** The topology client reports it is usable again (Sentinel 'ready' after a reconfigure). */
  markReady(): void {
    if (this.closing || !this.client.isReady) return;
    this.everReady = true;
    this.failure = undefined;
    this.planner.reset();
    this.setState('ready');
    this.settleWaiters('ready');
  }

  /** The topology client is reconfiguring (Sentinel 'reconnecting'). */
  markReconnecting(): void {
    if (this.closing || this.state !== 'ready') return;
    this.setState('reconnecting');
  }

  /**
   * An error the topology client emitted. Before the first ready connection a permanent cause
   * (wrong password, TLS, protocol) will not go away by retrying, and node-redis reports it only
   * as an event (discovery ends with RootNodesUnavailableError, Sentinel retries for ~17 s):
   * fail at once with the typed error. Returns true when it did.
   */
  failIfPermanent(error: unknown): boolean {
    if (this.closing || this.everReady || this.state !== 'connecting') return false;
    const permanent = isPermanentRedisError(error)
      ? (error as Error)
      : permanentConnectionError(error);
    if (permanent === undefined) return false;
    this.fail(permanent);
    return true;
  }

  /** Stops connecting without closing for good: state 'closed'; `connect()` starts over. */
  stop(): void {
    if (this.closing) return;
    this.clearRetry();
    this.destroyClient();
    this.setState('closed');
    this.settleWaiters('closed');
  }

  /** Stops everything: timers, waiters and the client's sockets. Idempotent. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.clearRetry();
    this.settleWaiters('closed');
    this.setState('closed');
    const client = this.client;
    let timer: unknown;
    const bounded = new Promise<void>((resolve) => {
      timer = this.options.clock.setTimeout(resolve, CLOSE_GRACE_MS);
    });
    if (client.isOpen && client.isReady) {
      await Promise.race([client.close().catch(() => undefined), bounded]);
    }
    // destroy() is idempotent; Sentinel's waits for an in-flight discovery round: bound it too.
    await Promise.race([this.destroyClient(), bounded]);
    this.options.clock.clearTimeout(timer);
  }

  // ---- attempts --------------------------------------------------------------------------

  private attempt(): void {
    if (this.closing || this.attempting || this.client.isOpen) return;
    this.attempting = true;
    this.client.connect().then(
      () => {
        this.attempting = false;
        if (this.closing) return;
        this.lastAttemptError = undefined;
        this.markReady();
      },
      (error: unknown) => {
        this.attempting = false;
        if (this.closing || this.state === 'closed' || this.state === 'failed') return;
        const permanent = isPermanentRedisError(error)
          ? (error as Error)
          : permanentConnectionError(error);
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

  private scheduleRetry(kind: RedisFailureKind): void {
    if (this.closing || this.retryTimer !== undefined) return;
    this.setState(this.everReady ? 'reconnecting' : 'connecting');
    const { attempt, delayMs } = this.planner.next();
    this.options.onReconnecting({ attempt, delayMs, kind });
    this.retryTimer = this.options.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.attempt();
    }, delayMs);
  }

  private fail(error: Error): void {
    this.clearRetry();
    this.failure = error;
    this.options.onError(classifyConnectionError(error), error);
    this.destroyClient();
    this.setState('failed');
    this.settleWaiters('failed');
  }

  private async destroyClient(): Promise<void> {
    try {
      await this.client.destroy();
    } catch {
      // already closed
    }
  }

  // ---- helpers ---------------------------------------------------------------------------

  private waitFor(ms: number): Promise<TopologyWaitOutcome> {
    return new Promise<TopologyWaitOutcome>((resolve) => {
      const waiter: Waiter = { resolve, timer: undefined };
      waiter.timer = this.options.clock.setTimeout(() => {
        this.waiters.delete(waiter);
        resolve('timeout');
      }, ms);
      this.waiters.add(waiter);
    });
  }

  private settleWaiters(outcome: TopologyWaitOutcome): void {
    const clock = this.options.clock;
    for (const w of this.waiters) {
      clock.clearTimeout(w.timer);
      w.resolve(outcome);
    }
    this.waiters.clear();
  }

  private setState(to: RedisConnectionState): void {
    const from = this.state;
    if (from === to) return;
    this.state = to;
    this.options.onStateChange({ from, to, at: this.options.clock.now() });
  }

  private clearRetry(): void {
    if (this.retryTimer === undefined) return;
    this.options.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }
}
