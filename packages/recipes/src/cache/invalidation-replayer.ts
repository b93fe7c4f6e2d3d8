/**
 * Replays the invalidations a cache could not apply while Redis was down: pending keys as
 * UNLINK batches, pending prefixes (or the whole cache prefix after an overflow) as
 * SCAN + UNLINK. Runs when the adapter reports `ready` again and, throttled, before cache
 * operations while anything is pending. Stops at the first failure; what is left stays pending.
 */
import createDebug from 'debug';
import type { RecipeRedis } from '../recipe-client.js';
import type { PendingInvalidations } from './pending-invalidations.js';
import { scanDelete } from './scan-delete.js';

const log = createDebug('breakwater:recipes:cache');
const UNLINK_BATCH = 100;
/** Least time between two replay attempts started by cache operations, in ms. */
export const REPLAY_RETRY_MS = 1000;

export interface ReplayerOptions {
  redis: RecipeRedis;
  pending: PendingInvalidations;
  /** The cache prefix; pending keys and prefixes are relative to it. */
  prefix: string;
  scanCount: number;
  timeout: number | undefined;
  clock: { now(): number };
  /** Called with how many entries a replay resolved. */
  onReplayed(count: number): void;
}

export class InvalidationReplayer {
  private running: Promise<void> | undefined;
  private lastAttempt = Number.NEGATIVE_INFINITY;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(private readonly o: ReplayerOptions) {}

  /** Starts a replay if anything is pending, none is running and the throttle allows it. */
  maybeReplay(force = false): Promise<void> | undefined {
    if (this.o.pending.size === 0 || this.running !== undefined) return this.running;
    if (this.o.redis.connectionState !== 'ready') return undefined;
    const now = this.o.clock.now();
    if (!force && now - this.lastAttempt < REPLAY_RETRY_MS) return undefined;
    this.lastAttempt = now;
    this.running = this.replay()
      .catch((error: unknown) => log('replay failed: %s', (error as Error)?.name ?? typeof error))
      .finally(() => {
        this.running = undefined;
        this.scheduleRetry();
      });
    return this.running;
  }

  /** Stops the background retries (replays still start on cache use). */
  dispose(): void {
    this.disposed = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }

  /**
   * A replay that could not finish while the client is connected (e.g. the breaker was still
   * open) is retried every REPLAY_RETRY_MS, so an idle cache does not leave stale values in
   * Redis for other processes. The timer is unref'd: it never keeps the process alive.
   */
  private scheduleRetry(): void {
    if (this.disposed || this.retryTimer !== undefined || this.o.pending.size === 0) return;
    if (this.o.redis.connectionState !== 'ready') return; // the next 'ready' event restarts it
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.maybeReplay(true);
    }, REPLAY_RETRY_MS);
    this.retryTimer.unref?.();
  }

  /** The replay in flight, if any (tests and shutdown can await it). */
  get inFlight(): Promise<void> | undefined {
    return this.running;
  }

  private async replay(): Promise<void> {
    const { redis, pending, scanCount, timeout } = this.o;
    const { keys, prefixes } = pending.snapshot();
    let resolved = 0;
    for (const entry of prefixes) {
      const full = this.o.prefix + entry.value;
      const result = await scanDelete(redis, 'cache.replay', full, scanCount, timeout);
      if (!result.complete) return this.done(resolved);
      pending.resolvePrefix(entry);
      resolved += 1;
    }
    for (let i = 0; i < keys.length; i += UNLINK_BATCH) {
      const batch = keys.slice(i, i + UNLINK_BATCH);
      const step = await redis.unlink(
        'cache.replay.unlink',
        batch.map((e) => this.o.prefix + e.value),
        timeout,
      );
      if (!step.ok) return this.done(resolved);
      for (const entry of batch) pending.resolveKey(entry);
      resolved += batch.length;
    }
    this.done(resolved);
  }

  private done(resolved: number): void {
    if (resolved > 0) this.o.onReplayed(resolved);
  }
}
