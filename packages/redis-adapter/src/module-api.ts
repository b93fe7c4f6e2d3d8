/**
 * A drop-in module API for services written the common way (one client per process):
 * initializeRedis / getRedisClient / executeRedisOperation / getRedisCircuitBreakerStats /
 * closeRedis, backed by one module-level adapter.
 */
import type { CircuitBreakerStats } from '@breakwater/breaker';
import { createRedisAdapter, type NodeRedisClient } from './create-redis-adapter.js';
import { createRedisAdapterFromEnv } from './env.js';
import { RedisNotReadyError } from './errors.js';
import type { RedisAdapterOptions } from './options.js';
import type { RedisAdapter } from './redis-adapter.js';
import type { RedisFallback, RedisOperationOptions } from './types.js';

let current: RedisAdapter<NodeRedisClient> | null = null;
let initializing: Promise<RedisAdapter<NodeRedisClient>> | null = null;

/**
 * Creates and connects the process-wide adapter (from `options`, or from the environment when
 * omitted). Idempotent: later calls return the same adapter. Settles within `connectTimeout`;
 * rejects only on a permanent failure (auth, TLS, protocol) or with `requireConnection`, and
 * then leaves nothing initialized.
 */
export function initializeRedis(
  options?: RedisAdapterOptions,
): Promise<RedisAdapter<NodeRedisClient>> {
  if (current !== null) return Promise.resolve(current);
  if (initializing !== null) return initializing;
  const adapter = options === undefined ? createRedisAdapterFromEnv() : createRedisAdapter(options);
  initializing = adapter.connect().then(
    () => {
      current = adapter;
      initializing = null;
      return adapter;
    },
    async (error: unknown) => {
      initializing = null;
      await adapter.close();
      throw error;
    },
  );
  return initializing;
}

/** The process-wide node-redis client, or null before initializeRedis() / after closeRedis(). */
export function getRedisClient(): NodeRedisClient | null {
  return current?.client ?? null;
}

/** The process-wide adapter, or null. */
export function getRedisAdapter(): RedisAdapter<NodeRedisClient> | null {
  return current;
}

/**
 * executeRedisOperation on the process-wide adapter. Before initializeRedis() (or after
 * closeRedis()) it never throws: it resolves with `fallback('not-ready', RedisNotReadyError)`.
 */
export async function executeRedisOperation<T, F = T>(
  op: (client: NodeRedisClient, signal: AbortSignal) => T | PromiseLike<T>,
  fallback: RedisFallback<F>,
  name: string,
  options?: RedisOperationOptions,
): Promise<T | F> {
  if (current === null) return fallback('not-ready', new RedisNotReadyError('closed'));
  return current.executeRedisOperation(op, fallback, name, options);
}

/** The breaker's statistics, or null when not initialized. */
export function getRedisCircuitBreakerStats(): CircuitBreakerStats | null {
  return current?.breaker.getStats() ?? null;
}

/** Closes the process-wide adapter (if any); initializeRedis() may be called again. */
export async function closeRedis(): Promise<void> {
  const pending = initializing;
  if (pending !== null) await pending.catch(() => undefined);
  const adapter = current;
  current = null;
  if (adapter !== null) await adapter.close();
}
