import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../src/index.js';
import type { RateLimiterOptions } from '../src/index.js';
import { FIXED_WINDOW, SLIDING_WINDOW } from '../src/rate-limit/rate-limit-scripts.js';
import {
  DEADLINE_MS,
  MARGIN_MS,
  collect,
  inject,
  timed,
  useEnv,
  waitForRecovery,
} from './harness.js';
import type { Fault } from './harness.js';

const env = useEnv();

const limiter = (o: Partial<RateLimiterOptions> & Pick<RateLimiterOptions, 'name'>) =>
  createRateLimiter(env.adapter, { limit: 100, windowMs: 60_000, onOutage: 'open', ...o });

describe('rate limiter with Redis up', () => {
  it.each(['fixed', 'sliding'] as const)(
    '%s: 1,000 concurrent consumes against a limit of 100 allow exactly 100',
    async (algorithm) => {
      // A generous deadline: on a loaded 2-core box 1,000 pipelined scripts can take > 400 ms,
      // and this test is about atomicity, not about the outage policy.
      const rl = limiter({
        name: `burst-${algorithm}`,
        algorithm,
        windowMs: 3_600_000,
        onOutage: 'closed',
        operationTimeout: 10_000,
      });
      const results = await Promise.all(Array.from({ length: 1000 }, () => rl.consume('ip-1')));
      expect(results.filter((r) => r.allowed)).toHaveLength(100);
      expect(results.every((r) => !r.degraded)).toBe(true);
      expect(results.map((r) => r.remaining).sort((a, b) => a - b)[0]).toBe(0);
      expect(rl.stats()).toMatchObject({ allowed: 100, denied: 900, degraded: 0 });
      // Denials did not count, and other keys have their own budget.
      expect((await rl.consume('ip-2')).remaining).toBe(99);
    },
  );

  it('fixed: remaining and resetMs, costs, denial does not count, key layout', async () => {
    const rl = limiter({ name: 'fx', algorithm: 'fixed', limit: 5, windowMs: 10_000 });
    const first = await rl.consume('u', 2);
    expect(first).toMatchObject({ allowed: true, remaining: 3, degraded: false });
    expect(first.resetMs).toBeGreaterThan(9000);
    expect(first.resetMs).toBeLessThanOrEqual(10_000);
    expect(await rl.consume('u', 4)).toMatchObject({ allowed: false, remaining: 3 });
    expect(await rl.consume('u', 3)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await env.server.cli('GET', 'breakwater:rl:fx:u')).toBe('5');
    const pttl = Number(await env.server.cli('PTTL', 'breakwater:rl:fx:u'));
    expect(pttl).toBeGreaterThan(8000);
    // A cost above the limit can never fit and never reaches Redis.
    expect(await rl.consume('v', 6)).toMatchObject({ allowed: false, degraded: false });
    expect(await env.server.cli('EXISTS', 'breakwater:rl:fx:v')).toBe('0');
    await expect(rl.consume('u', 0)).rejects.toThrow(RangeError);
  });

  it('sliding: the previous window weighs in by its overlap (Redis clock)', async () => {
    const windowMs = 2 ** 31 - 1; // ~24.8 days: the overlap fraction is stable during the test
    const rl = limiter({ name: 'sl', algorithm: 'sliding', limit: 1000, windowMs });
    const [sec, usec] = (await env.server.cli('TIME')).split('\n').map(Number);
    const now = sec * 1000 + Math.floor(usec / 1000);
    const idx = Math.floor(now / windowMs);
    const weight = (windowMs - (now - idx * windowMs)) / windowMs;
    const key = 'breakwater:rl:sl:k';
    await env.server.cli('HSET', key, 'w', String(idx - 1), 'c', '1000', 'p', '0');
    const r = await rl.consume('k');
    expect(r.allowed).toBe(true);
    expect(Math.abs(r.remaining - Math.floor(1000 - 1000 * weight - 1))).toBeLessThanOrEqual(1);
    expect(await env.server.cli('HMGET', key, 'w', 'c', 'p')).toBe(`${idx}\n1\n1000`);
    // Fill the rest: the sliding estimate denies before the current window alone would.
    const rest = await rl.consume('k', r.remaining);
    expect(rest.allowed).toBe(true);
    const denied = await rl.consume('k');
    expect(denied).toMatchObject({ allowed: false, remaining: 0, degraded: false });
    expect(denied.resetMs).toBeGreaterThan(0);
  });

  it('runs the script again with EVAL after SCRIPT FLUSH (NOSCRIPT), counting once', async () => {
    const rl = limiter({ name: 'ns', algorithm: 'fixed', limit: 10 });
    await rl.consume('k');
    await env.server.cli('SCRIPT', 'FLUSH');
    expect(await rl.consume('k')).toMatchObject({ allowed: true, remaining: 8 });
    expect(await env.server.cli('GET', 'breakwater:rl:ns:k')).toBe('2');
  });

  it('the scripts EVALSHA uses are the ones Redis hashes', async () => {
    expect(await env.server.cli('SCRIPT', 'LOAD', FIXED_WINDOW.source)).toBe(FIXED_WINDOW.sha);
    expect(await env.server.cli('SCRIPT', 'LOAD', SLIDING_WINDOW.source)).toBe(SLIDING_WINDOW.sha);
  });

  it('a data error (WRONGTYPE) applies the outage policy with reason data', async () => {
    await env.server.cli('RPUSH', 'breakwater:rl:dt:k', 'x');
    const closed = limiter({ name: 'dt', algorithm: 'fixed', onOutage: 'closed' });
    expect(await closed.consume('k')).toMatchObject({
      allowed: false,
      degraded: true,
      reason: 'data',
    });
    expect(closed.stats().degradedByReason).toEqual({ data: 1 });
  });

  it('validates options at construction', () => {
    const base = { name: 'v', limit: 1, windowMs: 1000, onOutage: 'open' } as const;
    expect(() => createRateLimiter(env.adapter, { ...base, limit: 0 })).toThrow(/limit/);
    expect(() => createRateLimiter(env.adapter, { ...base, windowMs: 1.5 })).toThrow(RangeError);
    expect(() => createRateLimiter(env.adapter, { ...base, onOutage: 'maybe' as 'open' })).toThrow(
      /onOutage must be one of/,
    );
    expect(() => createRateLimiter(env.adapter, { ...base, memoryLimit: 5 })).toThrow(
      /memoryLimit only applies/,
    );
    expect(() =>
      createRateLimiter(env.adapter, { ...base, limt: 5 } as unknown as RateLimiterOptions),
    ).toThrow(/unknown option "limt"/);
    const frozen = Object.freeze({ ...base });
    expect(() => createRateLimiter(env.adapter, frozen)).not.toThrow();
  });
});

describe.each<Fault>(['killed', 'frozen'])('rate limiter with Redis %s', (fault) => {
  it("applies each outage policy ('open', 'closed', 'memory'), reported and bounded", async () => {
    const open = limiter({ name: 'o', onOutage: 'open' });
    const closed = limiter({ name: 'c', onOutage: 'closed' });
    const memory = limiter({ name: 'm', onOutage: 'memory', memoryLimit: 2 });
    const evOpen = collect(open);
    const evClosed = collect(closed);
    const evMemory = collect(memory);
    expect((await closed.consume('k')).allowed).toBe(true);
    const end = await inject(env, fault);
    const check = async (rl: typeof open) => {
      const { value, ms } = await timed(() => rl.consume('k'));
      expect(ms).toBeLessThan(DEADLINE_MS + MARGIN_MS);
      expect(value.degraded).toBe(true);
      expect(['connection', 'not-ready', 'timeout', 'circuit-open']).toContain(value.reason);
      return value;
    };
    expect(await check(open)).toMatchObject({ allowed: true, remaining: 99, resetMs: 60_000 });
    expect(await check(closed)).toMatchObject({ allowed: false, remaining: 0, resetMs: 60_000 });
    expect(await check(memory)).toMatchObject({ allowed: true, remaining: 1 });
    expect(await check(memory)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await check(memory)).toMatchObject({ allowed: false });
    expect(evOpen.map((e) => e.outcome)).toEqual(['allow']);
    expect(evClosed.map((e) => e.outcome)).toEqual(['deny']);
    expect(evMemory.map((e) => e.outcome)).toEqual(['memory', 'memory', 'memory']);
    expect(memory.stats()).toMatchObject({ degraded: 3, allowed: 2, denied: 1, memoryKeys: 1 });
    expect(closed.stats()).toMatchObject({ degraded: 1, allowed: 1, denied: 1 });
    await end();
    await waitForRecovery(env, async () => !(await closed.consume('k')).degraded);
    expect((await memory.consume('k')).degraded).toBe(false);
  });
});

describe('rate limiter during a live restart', () => {
  it('never throws, stays bounded, answers from Redis or the policy, then uses Redis again', async () => {
    const rl = limiter({ name: 'lr', onOutage: 'closed', limit: 1000 });
    const restarting = env.server.restart();
    const answers = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        await new Promise((r) => setTimeout(r, i * 10));
        return timed(() => rl.consume('k'));
      }),
    );
    await restarting;
    for (const { value, ms } of answers) {
      expect(ms).toBeLessThan(DEADLINE_MS + MARGIN_MS);
      expect(value.allowed).toBe(!value.degraded); // closed policy: degraded ⇒ denied
    }
    expect(rl.stats().degraded).toBe(answers.filter((a) => a.value.degraded).length);
    await waitForRecovery(env, async () => !(await rl.consume('probe')).degraded);
  });
});

describe('rate limiter never double counts', () => {
  it('consumes made while Redis was killed are not replayed after the restart', async () => {
    const rl = limiter({ name: 'dc', algorithm: 'fixed', limit: 50, onOutage: 'open' });
    await env.server.kill();
    for (let i = 0; i < 5; i++) expect((await rl.consume('k')).degraded).toBe(true);
    await env.server.restart();
    await waitForRecovery(env, async () => !(await rl.consume('probe')).degraded);
    await new Promise((r) => setTimeout(r, 300)); // anything queued would have been sent by now
    expect(await env.server.cli('EXISTS', 'breakwater:rl:dc:k')).toBe('0');
    expect(await rl.consume('k')).toMatchObject({ allowed: true, remaining: 49, degraded: false });
  });

  it('a consume that timed out against a frozen server counts at most once', async () => {
    const rl = limiter({ name: 'fz', algorithm: 'fixed', limit: 50, onOutage: 'closed' });
    expect((await rl.consume('k')).remaining).toBe(49);
    env.server.pause();
    let attempted = 0;
    for (let i = 0; i < 5; i++) {
      attempted += 1;
      expect(await rl.consume('k')).toMatchObject({ allowed: false, degraded: true });
    }
    env.server.resume();
    await waitForRecovery(env, async () => !(await rl.consume('probe')).degraded);
    await new Promise((r) => setTimeout(r, 300));
    const counted = Number(await env.server.cli('GET', 'breakwater:rl:fz:k'));
    // Only commands already written before the freeze deadline may run (once each) on resume.
    expect(counted).toBeGreaterThanOrEqual(1);
    expect(counted).toBeLessThanOrEqual(1 + attempted);
    const next = await rl.consume('k');
    expect(next).toMatchObject({ allowed: true, remaining: 50 - counted - 1 });
  });
});
