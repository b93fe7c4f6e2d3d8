/**
 * The recipes over an ioredis adapter (createIoredisAdapter), against a real redis-server, up
 * and SIGKILLed: one representative path per recipe (cache get/set/delete/deleteByPrefix, rate limiter consume,
 * session set/get, token take), through the same code as over node-redis (the raw-command seam
 * is `sendSingle` in recipe-client.ts). Before that seam every step called ioredis'
 * `sendCommand(args, …)`, which takes a Command object, and failed.
 */
import { Keyv } from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { constantBackoff } from '@breakwater/breaker';
import { createIoredisAdapter, type IoredisAdapter } from '@breakwater/redis-adapter/ioredis';
import { startRedis, type RedisServer } from '../../../test-support/redis-server.js';
import {
  createCache,
  createRateLimiter,
  createSessionStore,
  createTokenStore,
  type DegradedEvent,
} from '../src/index.js';
import { BreakwaterKeyvStore } from '@breakwater/recipes/keyv';
import { DEADLINE_MS, MARGIN_MS } from './harness.js';

let server: RedisServer;
let adapter: IoredisAdapter;
const degraded: DegradedEvent[] = [];

beforeAll(async () => {
  server = await startRedis();
  adapter = createIoredisAdapter({
    url: server.url,
    name: 'recipes-ioredis',
    operationTimeout: DEADLINE_MS,
    connectTimeout: 1000,
    reconnectBackoff: constantBackoff(100),
    breaker: { failureThreshold: 3, failureRateThreshold: 0.5, resetTimeout: 250 },
    reporter: () => {},
  });
  await adapter.connect();
});
afterAll(async () => {
  await adapter.close();
  await server.stop();
});

/** The recipes under test, over the one ioredis adapter. */
function recipes() {
  const cache = createCache(adapter, { prefix: 'c:' });
  const limiter = createRateLimiter(adapter, {
    name: 'api',
    limit: 3,
    windowMs: 60_000,
    onOutage: 'open',
  });
  const sessions = createSessionStore<{ user: string }>(adapter, {
    prefix: 'sess:',
    ttlMs: 60_000,
  });
  const tokens = createTokenStore<{ user: string }>(adapter, { prefix: 'tok:', ttlMs: 60_000 });
  for (const r of [cache, limiter, sessions, tokens]) {
    r.on('degraded', (e: DegradedEvent) => degraded.push(e));
  }
  return { cache, limiter, sessions, tokens };
}

/** Wall time of `fn`, in ms. */
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t0 };
}

describe('recipes over ioredis', () => {
  it('with Redis up: cache, rate limiter, sessions and tokens work as over node-redis', async () => {
    const { cache, limiter, sessions, tokens } = recipes();
    expect(await cache.get('a')).toBeUndefined();
    expect(await cache.set('a', { n: 1, list: [1, 'x', null] }, 5000)).toBe(true);
    expect(await cache.get('a')).toEqual({ n: 1, list: [1, 'x', null] });
    expect(await server.cli('PTTL', 'c:a')).toMatch(/^\d+$/);
    expect(await cache.delete('a')).toBe(true);
    expect(await cache.get('a')).toBeUndefined();
    // SCAN + UNLINK in batches, through the same seam.
    for (let i = 0; i < 250; i++) await cache.set(`user:${i}`, i);
    await server.cli('SET', 'other:1', 'x');
    expect(await cache.deleteByPrefix('user:')).toEqual({ deleted: 250, complete: true });
    expect(await server.cli('EXISTS', 'other:1')).toBe('1');

    const consumed = await Promise.all(Array.from({ length: 5 }, () => limiter.consume('ip')));
    expect(consumed.filter((r) => r.allowed)).toHaveLength(3);
    expect(consumed.every((r) => !r.degraded)).toBe(true);

    expect(await sessions.get('s1')).toEqual({ status: 'missing' });
    expect(await sessions.set('s1', { user: 'ada' })).toEqual({ status: 'ok' });
    expect(await sessions.get('s1')).toEqual({ status: 'found', value: { user: 'ada' } });

    expect(await tokens.set('reset-1', { user: 'ada' })).toEqual({ status: 'ok' });
    const [a, b] = await Promise.all([tokens.take('reset-1'), tokens.take('reset-1')]);
    expect([a.status, b.status].sort()).toEqual(['found', 'missing']);
    // An integration on top of the cache: Keyv with the breakwater store.
    const keyvStore = new BreakwaterKeyvStore(adapter);
    const keyv = new Keyv({ store: keyvStore, namespace: 'users' });
    expect(await keyv.set('u1', { name: 'Ada' }, 60_000)).toBe(true);
    expect(await keyv.get('u1')).toEqual({ name: 'Ada' });
    await keyvStore.disconnect();
    expect(degraded).toEqual([]);
    for (const r of [cache, limiter, sessions, tokens]) (r as { dispose?(): void }).dispose?.();
  });

  it('with Redis SIGKILLed: every recipe degrades within the deadline, then recovers', async () => {
    const { cache, limiter, sessions, tokens } = recipes();
    await sessions.set('s2', { user: 'bob' });
    await server.kill();
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['cache get', () => cache.get('a')],
      ['cache set', () => cache.set('a', 1)],
      ['cache delete', () => cache.delete('a')],
      ['limiter consume', () => limiter.consume('ip2')],
      ['session get', () => sessions.get('s2')],
      ['session set', () => sessions.set('s3', { user: 'x' })],
      ['token take', () => tokens.take('reset-2')],
    ];
    for (const [label, call] of calls) {
      const { value, ms } = await timed(call);
      expect(ms, label).toBeLessThan(DEADLINE_MS + MARGIN_MS);
      if (label === 'cache get') expect(value).toBeUndefined();
      if (label === 'cache set' || label === 'cache delete') expect(value).toBe(false);
      if (label === 'limiter consume')
        expect(value).toMatchObject({ allowed: true, degraded: true });
      if (label.startsWith('session') || label.startsWith('token')) {
        expect((value as { status: string }).status, label).toBe('unavailable');
      }
    }
    expect(degraded.length).toBeGreaterThanOrEqual(calls.length);

    await server.restart();
    await expect
      .poll(async () => (await sessions.set('s4', { user: 'eve' })).status, { timeout: 10_000 })
      .toBe('ok');
    expect(await sessions.get('s4')).toEqual({ status: 'found', value: { user: 'eve' } });
    expect(await cache.set('b', 2)).toBe(true);
    expect(await cache.get('b')).toBe(2);
    expect(await limiter.consume('ip3')).toMatchObject({ allowed: true, degraded: false });
    for (const r of [cache, limiter, sessions, tokens]) (r as { dispose?(): void }).dispose?.();
  });
});
