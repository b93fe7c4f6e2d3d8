/**
 * The in-process limiter that takes over while Redis is down (`onOutage: 'memory'`). Same
 * algorithms and answers as the Lua scripts, on an injectable clock, with a bounded key map.
 */
import type { ScriptVerdict } from './rate-limit-scripts.js';

/** Options of {@link MemoryRateLimiter}. */
export interface MemoryRateLimiterOptions {
  /** Units allowed per window, in this process. */
  limit: number;
  /** Window length in milliseconds. */
  windowMs: number;
  algorithm: 'fixed' | 'sliding';
  /** Most keys tracked; beyond it expired keys are swept, then the oldest are forgotten. */
  maxKeys: number;
  clock: { now(): number };
}

interface FixedState {
  count: number;
  resetAt: number;
}
interface SlidingState {
  window: number;
  cur: number;
  prev: number;
}

export class MemoryRateLimiter {
  private readonly fixed = new Map<string, FixedState>();
  private readonly sliding = new Map<string, SlidingState>();

  constructor(private readonly o: MemoryRateLimiterOptions) {}

  /** Keys currently tracked. */
  get size(): number {
    return this.fixed.size + this.sliding.size;
  }

  consume(key: string, cost: number): ScriptVerdict {
    return this.o.algorithm === 'fixed'
      ? this.consumeFixed(key, cost)
      : this.consumeSliding(key, cost);
  }

  private consumeFixed(key: string, cost: number): ScriptVerdict {
    const { limit, windowMs } = this.o;
    const now = this.o.clock.now();
    let state = this.fixed.get(key);
    if (state === undefined || state.resetAt <= now) {
      this.makeRoom(this.fixed, (s) => s.resetAt <= now);
      state = { count: 0, resetAt: now + windowMs };
      this.fixed.delete(key);
      this.fixed.set(key, state);
    }
    const resetMs = state.resetAt - now;
    if (state.count + cost > limit) {
      return { allowed: false, remaining: Math.max(0, limit - state.count), resetMs };
    }
    state.count += cost;
    return { allowed: true, remaining: limit - state.count, resetMs };
  }

  private consumeSliding(key: string, cost: number): ScriptVerdict {
    const { limit, windowMs: window } = this.o;
    const now = this.o.clock.now();
    const idx = Math.floor(now / window);
    const elapsed = now - idx * window;
    let state = this.sliding.get(key);
    if (state === undefined) {
      this.makeRoom(this.sliding, (s) => s.window < idx - 1);
      state = { window: idx, cur: 0, prev: 0 };
      this.sliding.set(key, state);
    } else if (state.window === idx - 1) {
      state = { window: idx, cur: 0, prev: state.cur };
      this.sliding.set(key, state);
    } else if (state.window !== idx) {
      state = { window: idx, cur: 0, prev: 0 };
      this.sliding.set(key, state);
    }
    const { cur, prev } = state;
    const used = (prev * (window - elapsed)) / window + cur;
    if (used + cost > limit) {
      let wait =
        cur + cost <= limit
          ? window - Math.floor((window * (limit - cost - cur)) / prev) - elapsed
          : window - elapsed + window - Math.floor((window * (limit - cost)) / cur);
      if (wait < 1) wait = 1;
      return { allowed: false, remaining: Math.max(0, Math.floor(limit - used)), resetMs: wait };
    }
    state.cur += cost;
    return {
      allowed: true,
      remaining: Math.max(0, Math.floor(limit - used - cost)),
      resetMs: window - elapsed,
    };
  }

  /** Gives back up to `cost` units counted for `key` in its current window. */
  refund(key: string, cost: number): boolean {
    const now = this.o.clock.now();
    const fixed = this.fixed.get(key);
    if (fixed !== undefined && fixed.resetAt > now && fixed.count > 0) {
      fixed.count -= Math.min(fixed.count, cost);
      return true;
    }
    const sliding = this.sliding.get(key);
    if (sliding !== undefined && sliding.cur > 0) {
      sliding.cur -= Math.min(sliding.cur, cost);
      return true;
    }
    return false;
  }

  /** Forgets `key`. */
  reset(key: string): boolean {
    const had = this.fixed.has(key) || this.sliding.has(key);
    this.fixed.delete(key);
    this.sliding.delete(key);
    return had;
  }

  /** Units counted for `key` in its current window (sliding: weighted, rounded up). */
  peek(key: string): { used: number; resetMs: number } | undefined {
    const now = this.o.clock.now();
    if (this.o.algorithm === 'fixed') {
      const s = this.fixed.get(key);
      return s === undefined || s.resetAt <= now
        ? undefined
        : { used: s.count, resetMs: s.resetAt - now };
    }
    const window = this.o.windowMs;
    const idx = Math.floor(now / window);
    const elapsed = now - idx * window;
    const s = this.sliding.get(key);
    if (s === undefined || (s.window !== idx && s.window !== idx - 1)) return undefined;
    const [cur, prev] = s.window === idx ? [s.cur, s.prev] : [0, s.cur];
    return {
      used: Math.ceil((prev * (window - elapsed)) / window + cur),
      resetMs: window - elapsed,
    };
  }

  /** Keeps a map under maxKeys: sweep expired entries, then forget the oldest inserted. */
  private makeRoom<S>(map: Map<string, S>, expired: (s: S) => boolean): void {
    if (map.size < this.o.maxKeys) return;
    for (const [k, s] of map) if (expired(s)) map.delete(k);
    while (map.size >= this.o.maxKeys) {
      map.delete(map.keys().next().value as string);
    }
  }
}
