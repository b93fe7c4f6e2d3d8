/**
 * The one place where recipes talk to Redis: a narrow client type and `runRedisStep`, which
 * turns every way an operation can fail into a value the recipe can act on.
 */
import type { RedisAdapterLike, RedisFailureKind } from '@breakwater/redis-adapter';

/**
 * The part of a node-redis client the recipes use. node-redis' `RedisClientType` satisfies it;
 * raw commands keep the recipes independent of the client's typed-command generics.
 */
export interface RecipeRedisClient {
  sendCommand(
    args: ReadonlyArray<string>,
    options?: { abortSignal?: AbortSignal },
  ): Promise<unknown>;
}

/** An adapter the recipes can run on. */
export type RecipeAdapter = RedisAdapterLike<RecipeRedisClient>;

/**
 * Why a recipe could not use Redis: an adapter failure kind, or `data` when Redis answered
 * with an error reply (WRONGTYPE, a script error…) or an unexpected reply shape.
 */
export type RecipeFailureReason = RedisFailureKind | 'data';

/** Outcome of {@link runRedisStep}. */
export type StepResult<T> =
  { ok: true; value: T } | { ok: false; reason: RecipeFailureReason; error: unknown };

/** Sends one raw command with the adapter's per-call signal (it only cancels unsent commands). */
export function command(
  client: RecipeRedisClient,
  signal: AbortSignal,
  args: ReadonlyArray<string>,
): Promise<unknown> {
  return client.sendCommand(args, { abortSignal: signal });
}

/**
 * Runs `op` through the adapter and never rejects.
 *
 * - With `failFast`, when the adapter is not connected (`connectionState !== 'ready'`), it
 *   answers `not-ready` at once without calling the adapter (the cache uses this so that
 *   wrap() reaches its loader without waiting on a reconnect). Without it the adapter decides
 *   (it may wait a short reconnect grace inside the call's deadline).
 * - Unavailability (the adapter's fallback) becomes `{ ok: false, reason: kind }`.
 * - A data error (the adapter rejects) becomes `{ ok: false, reason: 'data' }`.
 *
 * `op` is called at most once: recipes never retry (a retried increment could count twice).
 */
export async function runRedisStep<T>(
  adapter: RecipeAdapter,
  name: string,
  op: (client: RecipeRedisClient, signal: AbortSignal) => Promise<T>,
  timeout: number | undefined,
  failFast = false,
): Promise<StepResult<T>> {
  if (failFast && adapter.connectionState !== 'ready') {
    return { ok: false, reason: 'not-ready', error: undefined };
  }
  try {
    return await adapter.executeRedisOperation<StepResult<T>, StepResult<T>>(
      async (client, signal) => ({ ok: true, value: await op(client, signal) }),
      (kind, error) => ({ ok: false, reason: kind, error }),
      name,
      timeout === undefined ? undefined : { timeout },
    );
  } catch (error) {
    return { ok: false, reason: 'data', error };
  }
}
