/**
 * wrapRedisClient / wrapIoredisClient on a client the service made: the client's own settings
 * stay; deadlines, fallbacks, hung-connection replacement and permanent-failure stops hold.
 */
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  isRedisAuthenticationError,
  wrapRedisClient,
  type RedisConnectionState,
  type RedisFailureKind,
} from '../src/index.js';
import { wrapIoredisClient } from '../src/ioredis/index.js';
import { startRedis, stopAllRedis } from '../../../test-support/redis-server.js';
import { sleep, startLoad, waitUntil } from './load.js';

afterAll(stopAllRedis);

const fb = (kind: RedisFailureKind) => ({ fallback: kind });

describe('wrapRedisClient', () => {
  it('adopts a user-made client: deadlines, fallbacks, recovery, hung connection replaced', async () => {
    const server = await startRedis();
    const client = createClient({
      url: server.url,
      socket: { reconnectStrategy: (n: number) => Math.min(50 * 2 ** n, 500) },
    });
    const adapter = wrapRedisClient(client, { operationTimeout: 300, name: 'wrapped' });
    await adapter.connect();
    expect(adapter.connectionState).toBe('ready');
    expect(await adapter.executeRedisOperation((c) => c.set('a', '1'), fb, 'set')).toBe('OK');

    // Frozen server: the deadline holds, the stuck connection is destroyed and reconnected.
    const states: RedisConnectionState[] = [];
    adapter.on('connectionState', (s) => states.push(s.to));
    const load = startLoad(() => adapter.executeRedisOperation((c) => c.get('a'), fb, 'get'), 10);
    await sleep(200);
    server.pause();
    await sleep(1200);
    server.resume();
    const resumedAt = performance.now();
    const recovered = await waitUntil(
      () => load.records.some((r) => r.outcome === 'success' && r.start > resumedAt),
      5000,
    );
    const result = await load.stop();
    console.log('wrapped SIGSTOP', {
      calls: result.records.length,
      maxLatency: Math.round(result.maxLatency),
      byKind: result.byKind,
      states,
    });
    expect(recovered).toBe(true);
    expect(result.unsettled).toBe(0);
    expect(result.errors).toBe(0);
    expect(result.maxLatency).toBeLessThan(300 + 250);
    expect(result.byKind.timeout).toBeGreaterThan(0);
    expect(states).toContain('reconnecting');
    expect(states.at(-1)).toBe('ready');

    // Server killed: the user's own strategy reconnects; the adapter never crashes the process.
    await server.kill();
    expect(await adapter.executeRedisOperation((c) => c.get('a'), fb, 'get')).toHaveProperty(
      'fallback',
    );
    await server.restart();
    expect(await waitUntil(() => adapter.connectionState === 'ready', 5000)).toBe(true);
    await adapter.close();
    expect(client.isOpen).toBe(false);
    await server.stop();
  });

  it('a user-made client with a wrong password: connect() rejects typed, the client is stopped', async () => {
    const server = await startRedis({ password: 'right' });
    // node-redis' default strategy would retry this forever.
    const client = createClient({ url: `redis://:wrong@127.0.0.1:${server.port}` });
    const adapter = wrapRedisClient(client, { password: 'wrong' });
    const t0 = performance.now();
    const err = await adapter.connect().then(
      () => null,
      (e: unknown) => e,
    );
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(isRedisAuthenticationError(err)).toBe(true);
    expect(client.isOpen).toBe(false);
    expect(adapter.connectionState).toBe('failed');
    await adapter.close();
    await server.stop();
  });

  it("the owner destroying an adopted client moves the adapter to 'closed'", async () => {
    const server = await startRedis();
    const client = createClient({ url: server.url });
    const adapter = wrapRedisClient(client);
    await adapter.connect();
    client.destroy(); // behind the adapter's back
    expect(adapter.connectionState).toBe('closed');
    const t0 = performance.now();
    expect(await adapter.executeRedisOperation((c) => c.get('a'), fb, 'get')).toEqual({
      fallback: 'not-ready',
    });
    // No grace wait (250 ms by default): nothing will reconnect. The bound stays below the grace
    // and leaves room for a busy 2-core box.
    expect(performance.now() - t0).toBeLessThan(200);
    await adapter.connect(); // and connect() brings it back
    expect(await adapter.executeRedisOperation((c) => c.ping(), fb, 'ping')).toBe('PONG');
    await adapter.close();
    await server.stop();
  });

  it('rejects options that belong to the client', () => {
    const client = createClient();
    expect(() => wrapRedisClient(client, { url: 'redis://x' } as never)).toThrow(
      /option "url" belongs to the client/,
    );
    expect(() => wrapRedisClient({} as never)).toThrow(TypeError);
    // Shared options are validated by the same code, and the message names this factory.
    expect(() => wrapRedisClient(client, { operationTimeout: -1 })).toThrow(
      /^wrapRedisClient: operationTimeout must be a finite number of ms >= 1, got -1$/,
    );
  });
});

describe('wrapIoredisClient', () => {
  it('adopts a user-made ioredis client: deadlines, fallbacks, hung connection replaced, recovery', async () => {
    const server = await startRedis();
    // The user's own settings stay (ioredis defaults: offline queue, its own retryStrategy).
    const client = new Redis({ host: '127.0.0.1', port: server.port, lazyConnect: true });
    const adapter = wrapIoredisClient(client, { operationTimeout: 300, name: 'wrapped-io' });
    await adapter.connect();
    expect(adapter.connectionState).toBe('ready');
    expect(await adapter.executeRedisOperation((c) => c.set('a', '1'), fb, 'set')).toBe('OK');
    // Data error (ioredis ReplyError WRONGTYPE): propagates unchanged, does not trip.
    await expect(
      adapter.executeRedisOperation((c) => c.lpush('a', 'x'), fb, 'lpush'),
    ).rejects.toThrow(/WRONGTYPE/);
    expect(adapter.breaker.getStats().failureCount).toBe(0);

    const states: RedisConnectionState[] = [];
    adapter.on('connectionState', (s) => states.push(s.to));
    const load = startLoad(() => adapter.executeRedisOperation((c) => c.get('a'), fb, 'get'), 10);
    await sleep(200);
    server.pause();
    await sleep(1200);
    server.resume();
    const resumedAt = performance.now();
    const recovered = await waitUntil(
      () => load.records.some((r) => r.outcome === 'success' && r.start > resumedAt),
      5000,
    );
    const result = await load.stop();
    console.log('wrapped ioredis SIGSTOP', {
      calls: result.records.length,
      maxLatency: Math.round(result.maxLatency),
      byKind: result.byKind,
      states,
    });
    expect(recovered).toBe(true);
    expect(result.unsettled).toBe(0);
    expect(result.errors).toBe(0);
    expect(result.maxLatency).toBeLessThan(300 + 250);
    expect(result.byKind.timeout).toBeGreaterThan(0);
    expect(states).toContain('reconnecting');
    expect(states.at(-1)).toBe('ready');

    // Server killed: ioredis' own retryStrategy reconnects; the process never crashes.
    await server.kill();
    expect(await adapter.executeRedisOperation((c) => c.get('a'), fb, 'get')).toHaveProperty(
      'fallback',
    );
    await server.restart();
    expect(await waitUntil(() => adapter.connectionState === 'ready', 5000)).toBe(true);
    await adapter.close();
    expect(client.status).toBe('end');
    await server.stop();
  });

  it('a user-made ioredis client with a wrong password: connect() rejects typed, the client is stopped', async () => {
    const server = await startRedis({ password: 'right' });
    // ioredis' default retryStrategy would retry this forever.
    const client = new Redis({
      host: '127.0.0.1',
      port: server.port,
      password: 'wrong',
      lazyConnect: true,
    });
    const adapter = wrapIoredisClient(client, { password: 'wrong' });
    const t0 = performance.now();
    const err = await adapter.connect().then(
      () => null,
      (e: unknown) => e,
    );
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(isRedisAuthenticationError(err)).toBe(true);
    expect(adapter.connectionState).toBe('failed');
    expect(await waitUntil(() => client.status === 'end', 2000)).toBe(true);
    await sleep(300);
    expect(client.status).toBe('end'); // no retry behind the adapter's back
    await adapter.close();
    await server.stop();
  });

  it("the owner disconnecting an adopted ioredis client moves the adapter to 'closed'", async () => {
    const server = await startRedis();
    const client = new Redis({ host: '127.0.0.1', port: server.port, lazyConnect: true });
    const adapter = wrapIoredisClient(client);
    await adapter.connect();
    client.disconnect(); // behind the adapter's back
    expect(await waitUntil(() => adapter.connectionState === 'closed', 2000)).toBe(true);
    expect(await adapter.executeRedisOperation((c) => c.get('a'), fb, 'get')).toEqual({
      fallback: 'not-ready',
    });
    await adapter.connect(); // and connect() brings it back
    expect(await adapter.executeRedisOperation((c) => c.ping(), fb, 'ping')).toBe('PONG');
    await adapter.close();
    await server.stop();
  });

  it('rejects options that belong to the client, and what is not an ioredis client', () => {
    const client = new Redis({ lazyConnect: true });
    expect(() => wrapIoredisClient(client, { url: 'redis://x' } as never)).toThrow(
      /^wrapIoredisClient: option "url" belongs to the client/,
    );
    expect(() => wrapIoredisClient(createClient() as never)).toThrow(/must be an ioredis client/);
    expect(() => wrapIoredisClient(client, { operationTimeout: -1 })).toThrow(
      /^wrapIoredisClient: operationTimeout must be a finite number of ms >= 1, got -1$/,
    );
    client.disconnect();
  });
});
