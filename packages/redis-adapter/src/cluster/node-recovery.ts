/**
 * Recovery of one cluster node whose connection was presumed dead (a command overran its
 * deadline, or a handshake hung): the failover is followed instead of waited out.
 *
 * Why: a frozen master (SIGSTOP, a stalled VM) still accepts TCP connections, so re-dialling it
 * "succeeds" and the Redis handshake then hangs (node-redis has no handshake deadline); with no
 * socket error node-redis never re-reads the topology, and the shard's breaker short-circuits
 * the calls that would have drawn a MOVED reply. The shard stayed down until the master resumed
 * (or node-redis' socketTimeout fired), long after its replica had been promoted. Here:
 * - every reconnect attempt to the node has its own handshake deadline (`connectTimeout`): a
 *   hung attempt is destroyed and retried with the adapter's backoff;
 * - the topology is re-read from the OTHER nodes right away and every `refreshInterval` (node-redis'
 *   `rediscover`, the node excluded), so once a replica is promoted the shard's slots point to it
 *   and calls succeed there, while the old master is still frozen.
 * Recovery ends when the node is ready again, or when it no longer serves slots (replaced).
 */
import type { Backoff, Clock } from '@breakwater/breaker';
import { RedisConnectTimeoutError } from '../errors.js';
import type { RedisFailureKind } from '../types.js';
import type { NodeClientLike } from './shard-connection.js';

/** What a {@link NodeRecovery} needs from the adapter and node-redis. */
export interface NodeRecoveryDeps {
  /** The node, `host:port`. */
  readonly address: string;
  readonly clock: Clock;
  /** Deadline of each reconnect attempt (TCP + TLS + Redis handshake), in ms. */
  readonly connectTimeout: number;
  /** Pause between topology re-reads while the node is down, in ms. */
  readonly refreshInterval: number;
  /** Delays between reconnect attempts. */
  readonly backoff: Backoff;
  /** The node's current client, if it has one. */
  nodeClient(): NodeClientLike | undefined;
  /**
   * The node's client, created (and connecting) through node-redis if it has none; undefined
   * when node-redis no longer knows the node.
   */
  dial(): NodeClientLike | undefined;
  /** True while the node still serves slots as a master. */
  servesSlots(): boolean;
  /** Re-reads the topology from any node but `address` (node-redis `rediscover`). */
  refreshTopology(excluded: string): Promise<unknown>;
  /** A topology re-read finished (successfully or not): drop state of replaced masters. */
  onTopologyRefreshed(): void;
  /** Reports a failure of the recovery itself (hung handshake, failed re-read). */
  onError(kind: RedisFailureKind, error: unknown): void;
  /** Recovery ended: the node is ready again, or it was replaced in the topology. */
  onDone(outcome: 'ready' | 'replaced'): void;
}

/** Drives the recovery of one node; restartable after it ended. */
export class NodeRecovery {
  /** Clock time the current recovery started (undefined while idle). */
  since: number | undefined = undefined;
  private attempt = 0;
  private previousDelay: number | undefined = undefined;
  private attemptTimer: unknown = undefined;
  private refreshTimer: unknown = undefined;
  private refreshing = false;
  /** Incremented on every start/stop: callbacks of an older run are ignored. */
  private run = 0;

  constructor(private readonly deps: NodeRecoveryDeps) {}

  /** True while a recovery is running. */
  get active(): boolean {
    return this.since !== undefined;
  }

  /**
   * Starts a recovery (no-op while one runs): destroys the node's connection (rejecting what
   * waits behind the silent command), reconnects it under a handshake deadline and re-reads the
   * topology from the other nodes.
   */
  start(): void {
    if (this.active) return;
    this.run++;
    this.since = this.deps.clock.now();
    this.attempt = 0;
    this.previousDelay = undefined;
    const c = this.deps.nodeClient();
    if (c !== undefined && c.isOpen) destroyQuietly(c);
    this.reconnect();
    this.refresh();
  }

  /** The node's client became ready (cluster 'node-ready'). */
  onNodeReady(): void {
    if (this.active) this.finish('ready');
  }

  /** Stops without an outcome (adapter closed, shard dropped). Idempotent. */
  stop(): void {
    if (!this.active) return;
    this.clearTimers();
    this.since = undefined;
    this.run++;
  }

  // ---- reconnect attempts ------------------------------------------------------------------

  private reconnect(): void {
    this.attemptTimer = undefined;
    if (!this.active) return;
    if (!this.deps.servesSlots()) return this.finish('replaced');
    const c = this.deps.dial();
    if (c === undefined) return this.finish('replaced');
    if (c.isReady) return this.finish('ready');
    // Closed (destroyed above, or by a hung attempt): dial again. Open but not ready: node-redis
    // is retrying by itself; the deadline below bounds that attempt too.
    if (!c.isOpen) c.connect().catch(() => undefined);
    const run = this.run;
    this.attemptTimer = this.deps.clock.setTimeout(() => {
      this.attemptTimer = undefined;
      if (run !== this.run || !this.active) return;
      if (c.isReady) return this.finish('ready');
      this.deps.onError(
        'timeout',
        new RedisConnectTimeoutError(this.deps.connectTimeout, {
          cause: new Error(`reconnecting to cluster node ${this.deps.address}`),
        }),
      );
      destroyQuietly(c);
      this.scheduleReconnect();
    }, this.deps.connectTimeout);
  }

  private scheduleReconnect(): void {
    let d: number;
    try {
      d = this.deps.backoff.delay(this.attempt++, this.previousDelay);
    } catch {
      d = 1000;
    }
    if (!Number.isFinite(d) || d < 0) d = 1000;
    this.previousDelay = d;
    this.attemptTimer = this.deps.clock.setTimeout(() => this.reconnect(), d);
  }

  // ---- topology re-reads -------------------------------------------------------------------

  private refresh(): void {
    this.refreshTimer = undefined;
    if (!this.active) return;
    const run = this.run;
    // A re-read that has not finished yet (a slow node) is not stacked with another one.
    if (!this.refreshing) {
      this.refreshing = true;
      let p: Promise<unknown>;
      try {
        p = this.deps.refreshTopology(this.deps.address);
      } catch (error) {
        p = Promise.reject(error);
      }
      p.then(
        () => this.afterRefresh(run),
        (error: unknown) => {
          if (run === this.run) this.deps.onError('connection', error);
          this.afterRefresh(run);
        },
      );
    }
    this.refreshTimer = this.deps.clock.setTimeout(() => this.refresh(), this.deps.refreshInterval);
  }

  private afterRefresh(run: number): void {
    this.refreshing = false;
    this.deps.onTopologyRefreshed();
    if (run !== this.run || !this.active) return;
    if (!this.deps.servesSlots()) this.finish('replaced');
  }

  private finish(outcome: 'ready' | 'replaced'): void {
    // 'replaced': node-redis destroyed the old master's client when it dropped the node (the
    // same object this recovery dials), so nothing is left open here.
    this.clearTimers();
    this.since = undefined;
    this.run++;
    this.deps.onDone(outcome);
  }

  private clearTimers(): void {
    if (this.attemptTimer !== undefined) this.deps.clock.clearTimeout(this.attemptTimer);
    if (this.refreshTimer !== undefined) this.deps.clock.clearTimeout(this.refreshTimer);
    this.attemptTimer = undefined;
    this.refreshTimer = undefined;
  }
}

function destroyQuietly(c: NodeClientLike): void {
  try {
    c.destroy();
  } catch {
    // already destroyed
  }
}
