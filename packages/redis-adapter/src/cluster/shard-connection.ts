/**
 * The {@link OperationConnection} of one cluster shard, identified by its master's address:
 * readiness is that master's node client's (so a call for a down shard takes the fallback after
 * the reconnect grace instead of waiting for its deadline), and a command that overran its
 * deadline replaces that node's connection only (a silent socket blocks later commands on it).
 */
import type { OperationConnection } from '../execute-redis-operation.js';
import type { RedisConnectionState } from '../types.js';
import type { TopologyConnection } from './topology-connection.js';

/** The node-redis node client surface used here. */
export interface NodeClientLike {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  connect(): Promise<unknown>;
  destroy(): void;
}

/** Looks up the current node client of a master address (undefined: not connected yet). */
export type NodeClientLookup = (address: string) => NodeClientLike | undefined;

interface Waiter {
  resolve(ready: boolean): void;
  timer: unknown;
}

/** Per-shard readiness, waiters and overrun handling; fed by the cluster's node events. */
export class ShardConnection<C> implements OperationConnection<C> {
  /** Increments each time this node's client becomes ready. */
  epoch = 0;
  private readonly waiters = new Set<Waiter>();
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
    private readonly onReplace: (address: string) => void,
  ) {}

  /**
   * While the whole topology is down, the grace runs from when it went down; a single node
   * reconnecting has no such record here (each call waits the whole grace, bounded by its
   * deadline, until the shard's breaker opens).
   */
  get notReadySince(): number | undefined {
    return this.topology.isReady() ? undefined : this.topology.notReadySince;
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
    return this.topology.isReady() && this.nodeReady();
  }

  waitForReady(ms: number): Promise<boolean> {
    if (this.isReady()) return Promise.resolve(true);
    if (ms <= 0) return Promise.resolve(false);
    if (!this.topology.isReady()) return this.topology.waitForReady(ms).then(() => this.isReady());
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = { resolve, timer: undefined };
      waiter.timer = this.clock.setTimeout(() => {
        this.waiters.delete(waiter);
        resolve(false);
      }, ms);
      this.waiters.add(waiter);
    });
  }

  notReadyCause(): Error | undefined {
    return this.topology.failure;
  }

  /** The node's client became ready (cluster 'node-ready'). */
  onNodeReady(): void {
    this.epoch++;
    this.settle(true);
  }

  /**
   * A command written on connection `epoch` overran its deadline: destroy that node client's
   * socket (rejecting what waits behind the silent command) and connect it again; node-redis'
   * own reconnect strategy takes over from there.
   */
  onDeadlineOverrun(epoch: number): void {
    if (epoch !== this.epoch || this.replacedEpoch === epoch) return;
    const c = this.nodeClient(this.address);
    if (c === undefined || !c.isReady) return;
    this.replacedEpoch = epoch;
    this.onReplace(this.address);
    c.destroy();
    c.connect().catch(() => undefined);
  }

  /** Releases every waiter (adapter closed or shard dropped from the topology). */
  dispose(): void {
    this.settle(false);
  }

  private settle(ready: boolean): void {
    for (const w of this.waiters) {
      this.clock.clearTimeout(w.timer);
      w.resolve(ready);
    }
    this.waiters.clear();
  }
}
