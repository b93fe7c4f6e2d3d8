/**
 * The {@link OperationConnection} of one cluster shard, identified by its master's address:
 * readiness is that master's node client's (so a call for a down shard takes the fallback after
 * the reconnect grace instead of waiting for its deadline), and a command that overran its
 * deadline, or a handshake that hung, starts a {@link NodeRecovery} of that node only (a silent
 * socket blocks later commands on it; a frozen master may be failed over meanwhile).
 */
import type { OperationConnection } from '../execute-redis-operation.js';
import { ReadyWaiters } from '../ready-waiters.js';
import type { RedisConnectionState } from '../types.js';
import type { NodeRecovery } from './node-recovery.js';
import type { TopologyConnection } from './topology-connection.js';

/** The node-redis node client surface used here. */
export interface NodeClientLike {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  destroy(): void;
  /** PING on this connection: the shard breaker's trial once it is ready again. */
  ping?(): Promise<unknown>;
}

/** Why a node's connection is given up: see ShardConnection. */
export type ReplaceReason = 'overrun' | 'handshake' | 'lost';

/** Looks up the current node client of a master address (undefined: not connected yet). */
export type NodeClientLookup = (address: string) => NodeClientLike | undefined;

/** Per-shard readiness, waiters and overrun handling; fed by the cluster's node events. */
export class ShardConnection<C> implements OperationConnection<C> {
  /** Increments each time this node's client becomes ready. */
  epoch = 0;
  private replacedEpoch = -1;

  constructor(
    readonly client: C,
    readonly address: string,
    private readonly topology: TopologyConnection,
    private readonly nodeClient: NodeClientLookup,
    private readonly clock: {
      setTimeout(fn: () => void, ms: number): unknown;
      clearTimeout(h: unknown): void;
    },
    /** Called with a reason when the node's connection is given up and recovery starts. */
    private readonly onReplace: (address: string, reason: ReplaceReason) => void,
    /** Creates this node's recovery; `onDone` is called when a recovery ends. */
    recovery: (onDone: (outcome: 'ready' | 'replaced') => void) => NodeRecovery,
    /** Deadline of a (re)connect handshake node-redis runs by itself, in ms. */
    private readonly handshakeTimeout: number,
  ) {
    this.waiters = new ReadyWaiters(clock);
    this.recovery = recovery((outcome) => this.settle(outcome === 'ready'));
  }

  private readonly recovery: NodeRecovery;
  /** Callers waiting out the reconnect grace; each holds the process until it settles. */
  private readonly waiters: ReadyWaiters;
  private handshakeTimer: unknown = undefined;

  /**
   * While the whole topology is down, the grace runs from when it went down; while this node
   * is being recovered, from when the recovery started (so calls stop waiting once the grace
   * has run out). A node merely reconnecting by itself has no such record here (each call waits
   * the whole grace, bounded by its deadline, until the shard's breaker opens).
   */
  get notReadySince(): number | undefined {
    if (!this.topology.isReady()) return this.topology.notReadySince;
    return this.recovery.since;
  }

  get state(): RedisConnectionState {
    if (this.topology.state !== 'ready') return this.topology.state;
    return this.nodeReady() ? 'ready' : 'reconnecting';
  }

  /** A node that has no client yet is connected on demand by node-redis: count it as ready. */
  private nodeReady(): boolean {
    const c = this.nodeClient(this.address);
    return c === undefined || c.isReady;
  }

  isReady(): boolean {
    return this.topology.isReady() && !this.recovery.active && this.nodeReady();
  }

  waitForReady(ms: number): Promise<boolean> {
    if (this.isReady()) return Promise.resolve(true);
    if (ms <= 0) return Promise.resolve(false);
    if (!this.topology.isReady()) return this.topology.waitForReady(ms).then(() => this.isReady());
    return this.waiters.wait(ms).then((outcome) => outcome === 'ready');
  }

  notReadyCause(): Error | undefined {
    return this.topology.failure;
  }

  /** The node's client became ready (cluster 'node-ready'). */
  onNodeReady(): void {
    this.clearHandshakeTimer();
    this.epoch++;
    this.recovery.onNodeReady();
    this.settle(true);
  }

  /**
   * The node's TCP/TLS connection is up (cluster 'node-connect'): node-redis gives the Redis
   * handshake no deadline, and a frozen server accepts TCP and never answers it. A handshake
   * still unfinished after `handshakeTimeout` starts a recovery. (A recovery's own attempts
   * carry their own deadline.)
   */
  onNodeConnect(): void {
    if (this.recovery.active) return;
    this.clearHandshakeTimer();
    this.handshakeTimer = this.clock.setTimeout(() => {
      this.handshakeTimer = undefined;
      if (this.recovery.active) return;
      const c = this.nodeClient(this.address);
      if (c === undefined || c.isReady) return;
      this.onReplace(this.address, 'handshake');
      this.recovery.start();
    }, this.handshakeTimeout);
  }

  /**
   * A command written on connection `epoch` overran its deadline: the connection is presumed
   * dead. The recovery destroys it (rejecting what waits behind the silent command), reconnects
   * under a handshake deadline and re-reads the topology from the other nodes.
   */
  onDeadlineOverrun(epoch: number): void {
    if (epoch !== this.epoch || this.replacedEpoch === epoch || this.recovery.active) return;
    const c = this.nodeClient(this.address);
    if (c === undefined || !c.isReady) return;
    this.replacedEpoch = epoch;
    this.onReplace(this.address, 'overrun');
    this.recovery.start();
  }

  /**
   * The node's connection dropped and its client reconnects by itself, with nothing re-reading
   * the topology meanwhile (ioredis: only a MOVED reply would, and the shard's calls fall back
   * before they are sent): recover it like a hung node, so a promoted replica is found.
   */
  onNodeLost(): void {
    if (this.recovery.active || !this.topology.isReady()) return;
    this.clearHandshakeTimer();
    this.onReplace(this.address, 'lost');
    this.recovery.start();
  }

  /** Releases every waiter and stops the recovery (adapter closed or shard dropped). */
  dispose(): void {
    this.clearHandshakeTimer();
    this.recovery.stop();
    this.settle(false);
  }

  private clearHandshakeTimer(): void {
    if (this.handshakeTimer === undefined) return;
    this.clock.clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
  }

  private settle(ready: boolean): void {
    this.waiters.settle(ready ? 'ready' : 'closed');
  }
}
