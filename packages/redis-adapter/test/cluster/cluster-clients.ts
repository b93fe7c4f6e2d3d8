/**
 * The Cluster adapters the server-backed Cluster fault tests run over: `describe.each
 * (CLUSTER_CLIENTS)` runs a suite once per client, through the same options and operations.
 */
import {
  createRedisClusterAdapter,
  type RedisClusterAdapter,
  type RedisClusterAdapterOptions,
} from '../../src/cluster/index.js';
import { createIoredisClusterAdapter } from '../../src/ioredis/index.js';

/** The commands the suites call; node-redis and ioredis answer them the same way. */
export interface ClusterCommands {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
}

/** One Cluster client under test. */
export interface ClusterClientUnderTest {
  name: 'node-redis' | 'ioredis';
  /** An adapter over a Cluster client this factory makes, with `options`. */
  create(options: RedisClusterAdapterOptions): RedisClusterAdapter<ClusterCommands>;
}

export const CLUSTER_CLIENTS: readonly ClusterClientUnderTest[] = [
  {
    name: 'node-redis',
    create: (options) =>
      createRedisClusterAdapter(options) as unknown as RedisClusterAdapter<ClusterCommands>,
  },
  {
    name: 'ioredis',
    create: (options) =>
      createIoredisClusterAdapter(options) as unknown as RedisClusterAdapter<ClusterCommands>,
  },
];
