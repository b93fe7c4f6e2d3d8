/** Shared set-up of the recipe integration tests: a real redis-server and a real adapter. */
import { constantBackoff } from '@breakwater/breaker';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createRedisAdapter } from '@breakwater/redis-adapter';
import type { RedisAdapter } from '@breakwater/redis-adapter';
import type { NodeRedisClient } from '@breakwater/redis-adapter';
import { startRedis } from '../../../test-support/redis-server.js';
import type { RedisServer } from '../../../test-support/redis-server.js';
import type { DegradedEvent } from '../src/index.js';

/** Per-call deadline used by these tests, in ms. */
export const DEADLINE_MS = 400;
/**
 * Margin on top of the deadline for latency assertions: the box has 2 shared cores, so a
 * call may be scheduled late, but nothing may wait for a reconnect or the OS TCP timeout.
 */
export const MARGIN_MS = 1200;

export interface Env {
  server: RedisServer;
  adapter: RedisAdapter<NodeRedisClient>;
}

export async function startEnv(): Promise<Env> {
  const server = await startRedis();
  const adapter = createRedisAdapter({
    url: server.url,
    name: 'recipes-test',
    operationTimeout: DEADLINE_MS,
    connectTimeout: 1000,
    reconnectBackoff: constantBackoff(100),
    breaker: { failureThreshold: 3, failureRateThreshold: 0.5, resetTimeout: 250 },
    reporter: () => {},
  });
  await adapter.connect();
  return { server, adapter };
}

export async function stopEnv(env: Partial<Env> | undefined): Promise<void> {
  if (env?.adapter === undefined || env.server === undefined) return;
  await env.adapter.close();
  await env.server.stop();
}

/**
 * Registers a test file's hooks: one redis-server and adapter for the whole file and, after
 * each test, `beforeReset` (e.g. disposing the test's recipes), then the server running again
 * (restarted or resumed), reachable through the adapter, and flushed. Returns the env, filled in
 * once `beforeAll` has run.
 */
export function useEnv(beforeReset?: () => void): Env {
  const env = {} as Env;
  beforeAll(async () => {
    Object.assign(env, await startEnv());
  });
  afterAll(() => stopEnv(env));
  afterEach(async () => {
    beforeReset?.();
    if (!env.server.running) await env.server.restart();
    env.server.resume();
    await waitForRecovery(env, async () => (await env.server.cli('PING')) === 'PONG');
    await env.server.cli('FLUSHALL');
  });
  return env;
}

/** Polls `cond` every 25 ms until it holds; throws after `timeoutMs`. */
export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await cond()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Waits until the adapter is connected and its breaker closed again after a fault. */
export async function waitForRecovery(env: Env, probe: () => Promise<boolean>): Promise<void> {
  await waitFor(() => env.adapter.connectionState === 'ready', 15_000, 'connection ready');
  await waitFor(probe, 15_000, 'an operation to reach Redis');
}

/** Measures how long `fn` takes (wall clock; only used for upper bounds with margin). */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - start };
}

/** Collects `degraded` events. */
export function collect(recipe: {
  on(event: 'degraded', l: (e: DegradedEvent) => void): () => void;
}): DegradedEvent[] {
  const events: DegradedEvent[] = [];
  recipe.on('degraded', (e) => events.push(e));
  return events;
}

/** The three faults every operation is tested under. */
export type Fault = 'killed' | 'frozen';

/** Applies a fault; returns the function that ends it (restart / resume). */
export async function inject(env: Env, fault: Fault): Promise<() => Promise<void>> {
  if (fault === 'killed') {
    await env.server.kill();
    return () => env.server.restart();
  }
  env.server.pause();
  return async () => env.server.resume();
}
