/** Public API of @breakwater/redis-adapter/ioredis: the adapter over ioredis 6 clients. */
export {
  buildIoredisOptions,
  createIoredisAdapter,
  wrapIoredisClient,
} from './create-ioredis-adapter.js';
export type { IoredisAdapter } from './create-ioredis-adapter.js';
export type { IoredisClientLike } from './ioredis-lifecycle.js';
export {
  buildIoredisClusterOptions,
  createIoredisClusterAdapter,
} from './create-ioredis-cluster-adapter.js';
export type { IoredisClusterAdapter } from './create-ioredis-cluster-adapter.js';
