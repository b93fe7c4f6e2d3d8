/**
 * The {@link ClusterDriver} over node-redis' own cluster client (`createCluster`): its slot
 * table, node clients (created lazily with `minimizeConnections`), `rediscover` and node events.
 */
import type { RedisClusterType } from 'redis';
import type { ClusterDriver, ClusterDriverListeners, ClusterMasterInfo } from './cluster-driver.js';
import type { NodeClientLike } from './shard-connection.js';

type NodeAddress = { host: string; port: number };

/** The node-redis cluster client surface the driver reads (public API plus `_slots`). */
type Cluster = RedisClusterType;

/** Drives a node-redis cluster client. */
export class NodeRedisClusterDriver implements ClusterDriver {
  readonly dropsBrokenReplyStreams = false;

  constructor(private readonly client: Cluster) {}

  get topologyClient(): Cluster {
    return this.client;
  }

  isReady(): boolean {
    return this.client.isReady;
  }

  masterOfSlot(slot: number): string | undefined {
    if (!this.client.isReady) return undefined;
    return this.client.slots[slot]?.master?.address;
  }

  masters(): readonly ClusterMasterInfo[] {
    if (!this.client.isReady) return [];
    return this.client.masters.map((m) => ({
      address: m.address,
      client: m.client as NodeClientLike | undefined,
    }));
  }

  nodeClient(address: string): NodeClientLike | undefined {
    const node = this.client.isOpen ? this.client.nodeByAddress.get(address) : undefined;
    return node?.client as NodeClientLike | undefined;
  }

  dial(address: string): NodeClientLike | undefined {
    const client = this.client;
    const node = client.isOpen ? client.nodeByAddress.get(address) : undefined;
    if (node === undefined) return undefined;
    // No client (a first connect that failed for good): node-redis creates one.
    if (node.client === undefined) client.nodeClient(node).catch(() => undefined);
    return node.client as NodeClientLike | undefined;
  }

  connections(): readonly NodeClientLike[] {
    // node-redis' close() forgets its nodes at once and its destroy() then reaches none of them,
    // so a node still draining (frozen) would keep the process alive until its socket timeout.
    const c = this.client;
    const out: NodeClientLike[] = [];
    const add = (client: unknown): void => {
      if (client !== undefined) out.push(client as NodeClientLike);
    };
    for (const m of c.masters) {
      add(m.client);
      add(m.pubSub?.client);
    }
    for (const r of c.replicas) add(r.client);
    add(c.pubSubNode?.client);
    return out;
  }

  refreshTopology(excluded: string): Promise<void> {
    // Public on RedisClusterSlots (node-redis uses it for MOVED); typed narrowly here.
    const slots = (
      this.client as unknown as {
        _slots?: {
          rediscover?(startWith: undefined, excludedAddresses: ReadonlySet<string>): Promise<void>;
        };
      }
    )._slots;
    if (typeof slots?.rediscover !== 'function') {
      return Promise.reject(new Error('this node-redis cluster client has no rediscover()'));
    }
    return slots.rediscover(undefined, new Set([excluded]));
  }

  warmUp(): void {
    if (!this.client.isReady) return;
    for (const m of this.client.masters) {
      if (m.client === undefined) this.client.nodeClient(m).catch(() => undefined);
    }
  }

  listen(l: ClusterDriverListeners): void {
    const c = this.client;
    const at = (node: NodeAddress): string => `${node.host}:${node.port}`;
    // An unhandled 'error' crashes the process: always listen.
    c.on('error', (error: unknown) => l.error(error));
    c.on('node-error', (error: unknown, node?: NodeAddress) =>
      l.nodeError(error, node === undefined ? undefined : at(node)),
    );
    c.on('node-connect', (node: NodeAddress) => l.nodeConnect(at(node)));
    c.on('node-ready', (node: NodeAddress) => l.nodeReady(at(node)));
    c.on('node-disconnect', () => l.nodesChanged());
    // (re)discovery finished: background discovery after a degraded start lands here too
    c.on('connect', () => l.discovered());
  }
}
