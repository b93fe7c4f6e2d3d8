/**
 * The adapter's diagnostics channels against a real redis-server killed and restarted: a
 * subscriber sees every connection change, every reconnect attempt and every operation (with
 * its fallback reason or data error) of the run; without subscribers nothing is published.
 */
import { channel, subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { BREAKER_CHANNELS, type BreakerStateChangeMessage } from '@breakwater/breaker';
import {
  createRedisAdapter,
  REDIS_CHANNELS,
  type RedisConnectionMessage,
  type RedisOperationTraceContext,
  type RedisReconnectingMessage,
} from '../src/index.js';
import { startRedis, stopAllRedis } from '../../../test-support/redis-server.js';
import { waitUntil } from './load.js';

afterAll(stopAllRedis);

const cleanups: Array<() => void> = [];
function listen<T>(name: string, onMessage: (message: T) => void): void {
  const fn = (message: unknown): void => onMessage(message as T);
  subscribe(name, fn);
  cleanups.push(() => unsubscribe(name, fn));
}
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  vi.restoreAllMocks();
});

describe('redis adapter diagnostics channels', () => {
  it('a subscriber sees every connection change and operation through a kill and restart', async () => {
    const server = await startRedis();
    const name = `dc-${server.port}`;
    const adapter = createRedisAdapter({
      url: server.url,
      name,
      operationTimeout: 500,
      reconnectGrace: 0,
      breaker: { failureThreshold: 3, resetTimeout: 200 },
    });
    const connection: RedisConnectionMessage[] = [];
    const reconnecting: RedisReconnectingMessage[] = [];
    const breakerStates: string[] = [];
    const traced: Array<{ phase: string; ctx: RedisOperationTraceContext }> = [];
    // Only this adapter's messages: other tests in the process may publish too.
    listen(REDIS_CHANNELS.connection, (m: RedisConnectionMessage) => {
      if (m.client === name) connection.push(m);
    });
    listen(REDIS_CHANNELS.reconnecting, (m: RedisReconnectingMessage) => {
      if (m.client === name) reconnecting.push(m);
    });
    listen(BREAKER_CHANNELS.stateChange, (m: BreakerStateChangeMessage) => {
      if (m.name === name) breakerStates.push(`${m.from}->${m.to}`);
    });
    const on =
      (phase: string) =>
      (ctx: RedisOperationTraceContext): void => {
        if (ctx.client === name) traced.push({ phase, ctx });
      };
    const handlers = {
      start: on('start'),
      end: on('end'),
      asyncStart: on('asyncStart'),
      asyncEnd: on('asyncEnd'),
      error: on('error'),
    };
    const tc = tracingChannel<unknown, RedisOperationTraceContext>(REDIS_CHANNELS.operation);
    tc.subscribe(handlers);
    cleanups.push(() => tc.unsubscribe(handlers));
    const events: string[] = [];
    adapter.on('connectionState', (e) => events.push(`${e.from}->${e.to}`));

    const get = (): Promise<unknown> =>
      adapter.executeRedisOperation(
        (c) => c.get('dc:key'),
        (kind) => `fallback:${kind}`,
        'get',
      );
    await adapter.connect();
    await adapter.client.set('dc:key', 'v');
    await adapter.client.hSet('dc:hash', 'f', 'v');
    expect(await get()).toBe('v');
    await expect(
      adapter.executeRedisOperation(
        (c) => c.get('dc:hash'),
        () => 'never',
        'get-hash',
      ),
    ).rejects.toThrow(/WRONGTYPE/);

    await server.kill();
    await waitUntil(() => adapter.connectionState !== 'ready', 5000);
    const outage: unknown[] = [];
    for (let i = 0; i < 5; i++) outage.push(await get());
    expect(outage.every((v) => typeof v === 'string' && v.startsWith('fallback:'))).toBe(true);
    await server.restart();
    await server.cli('SET', 'dc:key', 'v'); // the restarted server starts empty
    await waitUntil(() => adapter.connectionState === 'ready', 10_000);
    // The breaker may still be open: wait until a call goes through.
    for (let until = Date.now() + 10_000; (await get()) !== 'v' && Date.now() < until;) {
      await new Promise((r) => setTimeout(r, 50));
    }
    await adapter.close();

    // Connection: the channel carries exactly what the adapter's own event carried.
    expect(connection.map((m) => `${m.from}->${m.to}`)).toEqual(events);
    expect(events[0]).toBe('closed->connecting');
    expect(events).toContain('ready->reconnecting');
    expect(events.at(-1)).toBe('ready->closed');
    expect(reconnecting.length).toBeGreaterThan(0);
    expect(reconnecting[0]).toMatchObject({ client: name, attempt: 0, kind: 'connection' });
    expect(breakerStates[0]).toBe('closed->open');
    expect(breakerStates.at(-1)).toMatch(/^(half-open|open)->closed$/); // trial or reconnect probe

    // Operations: start, end, asyncStart, asyncEnd for each; error for the data error.
    const starts = traced.filter((t) => t.phase === 'start');
    const asyncEnds = traced.filter((t) => t.phase === 'asyncEnd');
    expect(starts.length).toBe(asyncEnds.length);
    expect(traced.filter((t) => t.phase === 'end').length).toBe(starts.length);
    const byCall = asyncEnds.map((t) => t.ctx);
    expect(byCall[0]).toMatchObject({ operation: 'get', result: 'v' });
    expect(byCall[0]?.fallback).toBeUndefined();
    expect(byCall[1]).toMatchObject({ operation: 'get-hash' });
    expect(String(byCall[1]?.error)).toMatch(/WRONGTYPE/);
    expect(traced.filter((t) => t.phase === 'error').map((t) => t.ctx)).toEqual([byCall[1]]);
    const outageCalls = byCall.slice(2, 7);
    for (const ctx of outageCalls) {
      expect(ctx.fallback).toBeDefined();
      expect(ctx.result).toBe(`fallback:${ctx.fallback}`);
    }
    expect(outageCalls.map((c) => c.fallback)).toContain('circuit-open');
    expect(byCall.at(-1)).toMatchObject({ operation: 'get', result: 'v' });
    expect(byCall.at(-1)?.fallback).toBeUndefined();
    // Every context object is the same across its phases.
    for (const t of traced) expect(starts.some((s) => s.ctx === t.ctx)).toBe(true);
  });

  it('publishes nothing without subscribers', async () => {
    const server = await startRedis();
    const spies = [
      vi.spyOn(channel(REDIS_CHANNELS.connection), 'publish'),
      vi.spyOn(channel(REDIS_CHANNELS.reconnecting), 'publish'),
      vi.spyOn(tracingChannel(REDIS_CHANNELS.operation).start, 'publish'),
      vi.spyOn(tracingChannel(REDIS_CHANNELS.operation).asyncEnd, 'publish'),
    ];
    const adapter = createRedisAdapter({ url: server.url, reconnectGrace: 0 });
    await adapter.connect();
    const get = (): Promise<unknown> =>
      adapter.executeRedisOperation(
        (c) => c.get('k'),
        () => null,
        'get',
      );
    await get();
    await server.kill();
    await waitUntil(() => adapter.connectionState !== 'ready', 5000);
    await get();
    await server.restart();
    await waitUntil(() => adapter.connectionState === 'ready', 10_000);
    await get();
    await adapter.close();
    for (const spy of spies) expect(spy).not.toHaveBeenCalled();
  });
});
