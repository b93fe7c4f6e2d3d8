/**
 * The seam between the cluster adapter ({@link RedisClusterAdapter}: per-shard breakers and
 * readiness, node recovery, health) and the Redis client library that owns the cluster
 * topology and the node connections. node-redis' `createCluster` and ioredis' `Cluster` each have
 * one driver; the adapter's logic is written once, against this interface.
 */
import type { NodeClientLike } from './shard-connection.js';
import type { TopologyClientLike } from './topology-connection.js';

/** A master of the current topology. */
export interface ClusterMasterInfo {
  /** `host:port`, as the client routes to it. */
  readonly address: string;
  /** Its node connection; undefined when not created yet (the client connects on demand). */
  readonly client: NodeClientLike | undefined;
}

/** What the driver reports to the adapter (each listener is called outside the client's stack). */
export interface ClusterDriverListeners {
  /** A cluster-level error (discovery, the topology client itself). */
  error(error: unknown): void;
  /** An error of one node connection (`address` when the client says which). */
  nodeError(error: unknown, address: string | undefined): void;
  /** A node's TCP/TLS connection is up; its Redis handshake is pending. */
  nodeConnect(address: string): void;
  /** A node's connection is ready. */
  nodeReady(address: string): void;
  /** A node's connection dropped and its client reconnects by itself. */
  nodeReconnecting(address: string): void;
  /** The set of node connections may have changed (a node was dropped). */
  nodesChanged(): void;
  /** A (re)discovery finished: the topology is known. */
  discovered(): void;
}

/** One cluster client library, seen by the cluster adapter. */
export interface ClusterDriver {
  /** The object whose `connect()` discovers the topology (the adapter bounds and retries it). */
  readonly topologyClient: TopologyClientLike;
  /** True once the topology is known and the client routes commands. */
  isReady(): boolean;
  /** The master address serving `slot`, if the topology is known. */
  masterOfSlot(slot: number): string | undefined;
  /** The current masters. */
  masters(): readonly ClusterMasterInfo[];
  /** The current connection of `address`, if it has one. */
  nodeClient(address: string): NodeClientLike | undefined;
  /**
   * The connection of `address`, created (and connecting) if the client has none; undefined
   * when the client no longer knows the node.
   */
  dial(address: string): NodeClientLike | undefined;
  /** Re-reads the topology from any node but `excluded`. */
  refreshTopology(excluded: string): Promise<void>;
  /** Connects the masters' connections in the background (after discovery). */
  warmUp(): void;
  /**
   * True when the client itself discards a connection whose reply stream broke (see
   * breaksReplyStream); false when the adapter must destroy it (node-redis keeps it).
   */
  readonly dropsBrokenReplyStreams: boolean;
  /** Subscribes the adapter to the client's events (once, at construction). */
  listen(listeners: ClusterDriverListeners): void;
  /**
   * Every node connection the client holds now (masters, replicas, pub/sub), read before the
   * adapter closes the client: a graceful close that cannot finish (a frozen node never answers
   * QUIT) is escalated by destroying them, even once the client has forgotten them. Omitted when
   * the client's own forced close reaches every connection.
   */
  connections?(): readonly NodeClientLike[];
  /** Clears the driver's own timers (adapter closed). */
  dispose?(): void;
}
