/**
 * The one small interface the recipes need from an adapter. The single-server
 * (`createRedisAdapter` / `wrapRedisClient`), Cluster (`createRedisClusterAdapter`) and Sentinel
 * (`createRedisSentinelAdapter`) adapters, and the ioredis ones (`createIoredisAdapter` /
 * `wrapIoredisClient` / `createIoredisClusterAdapter`), all satisfy it as they are: only the
 * shape of the raw command call differs between the clients; `topology` says which one the
 * adapter hands to its operations, and a client with `call()` is ioredis (see `sendSingle` in
 * recipe-client.ts).
 */
import type {
  RedisConnectionState,
  RedisFallback,
  RedisOperationOptions,
} from '@breakwater/redis-adapter';

/** Options the recipes pass to a raw command: the call's signal (it cancels unsent commands). */
export interface RecipeCommandOptions {
  abortSignal?: AbortSignal;
}

/** A single-server node-redis client (`RedisClientType`), or a Cluster node's client. */
export interface SingleServerCommandClient {
  sendCommand(args: string[], options?: RecipeCommandOptions): Promise<unknown>;
}

/**
 * An ioredis client (`Redis`, from `createIoredisAdapter` / `wrapIoredisClient`): raw commands
 * go through `call(command, ...args)` (its `sendCommand` takes a Command object instead).
 */
export interface IoredisCommandClient {
  call(command: string, ...args: string[]): Promise<unknown>;
}

/** A node-redis Cluster client (`RedisClusterType`): commands are routed by their first key. */
export interface ClusterCommandClient {
  sendCommand(
    firstKey: string | undefined,
    isReadonly: boolean | undefined,
    args: string[],
    options?: RecipeCommandOptions,
  ): Promise<unknown>;
  /** The current masters (SCAN runs on each). */
  readonly masters: ReadonlyArray<object>;
  /** The client of one master, connected on demand. */
  nodeClient(node: never): Promise<SingleServerCommandClient> | SingleServerCommandClient;
}

/**
 * An ioredis Cluster (`createIoredisClusterAdapter`): `call(command, ...args)` routes by the
 * command's keys; SCAN runs on each master connection (`nodes('master')`).
 */
export interface IoredisClusterCommandClient {
  call(command: string, ...args: string[]): Promise<unknown>;
  nodes(role: 'master'): ReadonlyArray<IoredisCommandClient>;
}

/** A node-redis Sentinel client (`RedisSentinelType`): commands go to the current master. */
export interface SentinelCommandClient {
  sendCommand(
    isReadonly: boolean | undefined,
    args: string[],
    options?: RecipeCommandOptions,
  ): Promise<unknown>;
}

/** What every adapter kind shares. */
interface RecipeAdapterOf<C, O extends RedisOperationOptions> {
  readonly name: string;
  readonly connectionState: RedisConnectionState;
  /** Runs `op` through the adapter's breaker, deadline and reporter (see the adapter README). */
  executeRedisOperation<T, F = T>(
    op: (client: C, signal: AbortSignal) => T | PromiseLike<T>,
    fallback: RedisFallback<F>,
    name: string,
    options?: O,
  ): Promise<T | F>;
  on(
    event: 'connectionState',
    listener: (payload: {
      from: RedisConnectionState;
      to: RedisConnectionState;
      at: number;
    }) => void,
  ): () => void;
}

/** A single-server adapter (`topology` is `'single'`, or absent on a hand-made adapter). */
export interface SingleServerRecipeAdapter extends RecipeAdapterOf<
  SingleServerCommandClient | IoredisCommandClient,
  RedisOperationOptions
> {
  readonly topology?: 'single';
}

/** A Cluster adapter (node-redis or ioredis): `key` picks the shard (its breaker and readiness). */
export interface ClusterRecipeAdapter extends RecipeAdapterOf<
  ClusterCommandClient | IoredisClusterCommandClient,
  RedisOperationOptions & { key?: string }
> {
  readonly topology: 'cluster';
  /** The Cluster client (its masters are listed for SCAN). */
  readonly client: ClusterCommandClient | IoredisClusterCommandClient;
}

/** A Sentinel adapter. */
export interface SentinelRecipeAdapter extends RecipeAdapterOf<
  SentinelCommandClient,
  RedisOperationOptions
> {
  readonly topology: 'sentinel';
}

/**
 * An adapter the recipes can run on: any of the three adapter kinds of
 * `@breakwater/redis-adapter`.
 */
export type RecipeAdapter =
  SingleServerRecipeAdapter | ClusterRecipeAdapter | SentinelRecipeAdapter;
