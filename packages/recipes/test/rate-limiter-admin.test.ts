/** refund / peek / reset of the recipe limiter against a real redis-server (up and down). */
import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../src/index.js';
import type { RateLimiterOptions } from '../src/index.js';
import { DEADLINE_MS, MARGIN_MS, collect, inject, timed, useEnv } from './harness.js';
import type { Fault } from './harness.js';

const env = useEnv();

const limiter = (o: Partial<RateLimiterOptions> & Pick<RateLimiterOptions, 'name'>) =>
  createRateLimiter(env.adapter, { limit: 5, windowMs: 60_000, onOutage: 'open', ...o });

describe.each(['fixed', 'sliding'] as const)('%s limiter with Redis up', (algorithm) => {
  it('refund gives units back in Redis, peek reads without counting, reset deletes the key', async () => {
    const rl = limiter({ name: `adm-${algorithm}`, algorithm });
    expect(await rl.peek('k')).toBeUndefined();
    expect(await rl.refund('k')).toBe(false);
    for (let i = 0; i < 5; i++) expect((await rl.consume('k')).allowed).toBe(true);
    expect((await rl.consume('k')).allowed).toBe(false);
    const usage = await rl.peek('k');
    expect(usage?.used).toBe(5);
    expect(usage?.resetMs).toBeGreaterThan(0);
    expect(usage?.resetMs).toBeLessThanOrEqual(60_000);
    expect((await rl.peek('k'))?.used).toBe(5); // peek did not count
    expect(await rl.refund('k', 2)).toBe(true);
    expect((await rl.peek('k'))?.used).toBe(3);
    expect(await rl.consume('k', 2)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await rl.refund('k', 99)).toBe(true); // never below zero
    expect((await rl.peek('k'))?.used).toBe(0);
    const key = `breakwater:rl:adm-${algorithm}:k`;
    expect(Number(await env.server.cli('PTTL', key))).toBeGreaterThan(0); // expiry kept
    expect(await rl.reset('k')).toBe(true);
    expect(await env.server.cli('EXISTS', key)).toBe('0');
    expect(rl.stats().degraded).toBe(0);
  });
});

describe.each<Fault>(['killed', 'frozen'])('limiter admin with Redis %s', (fault) => {
  it('answers within the deadline: refund/reset false, peek undefined (memory: its count), reported', async () => {
    const open = limiter({ name: 'adm-open' });
    const memory = limiter({ name: 'adm-mem', onOutage: 'memory' });
    const events = collect(open);
    const end = await inject(env, fault);
    for (const call of [() => open.refund('k'), () => open.reset('k')]) {
      const { value, ms } = await timed(call);
      expect(value).toBe(false);
      expect(ms).toBeLessThan(DEADLINE_MS + MARGIN_MS);
    }
    expect(await open.peek('k')).toBeUndefined();
    expect(events.map((e) => [e.operation, e.outcome])).toEqual([
      ['refund', 'skip'],
      ['reset', 'skip'],
      ['peek', 'miss'],
    ]);
    await memory.consume('k');
    await memory.consume('k');
    expect(await memory.refund('k')).toBe(true);
    expect((await memory.peek('k'))?.used).toBe(1);
    await end();
  });
});
