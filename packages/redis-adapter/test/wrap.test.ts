/**
 * wrapRedisClient on a client the service made, and the heart of executeRedisOperation
 * (executeWithContext) around an ioredis client: it depends on no node-redis internals.
 */
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, describe, expect, it } from 'vitest';
import { CircuitBreaker, systemClock } from '@breakwater/breaker';
import {
  executeWithContext,
  isRedisAuthenticationError,
  isRedisAvailabilityFailure,
  wrapRedisClient,
  type OperationConnection,
  type RedisConnectionState,
  type RedisFailureKind,
} from '../src/index.js';
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

/** An OperationConnection for ioredis, written against ioredis' public API only. */
class IoredisConnection implements OperationConnection<Redis> {
  epoch = 0;
  overruns = 0;
  constructor(readonly client: Redis) {
    client.on('ready', () => this.epoch++);
    client.on('error', () => undefined);
  }
  get state(): RedisConnectionState {
    const s = this.client.status;
    return s === 'ready' ? 'ready' : s === 'end' ? 'closed' : 'reconnecting';
  }
  isReady(): boolean {
    return this.client.status === 'ready';
  }
  waitForReady(ms: number): Promise<boolean> {
    if (this.isReady()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onReady = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.client.off('ready', onReady);
        resolve(false);
      }, ms);
      this.client.once('ready', onReady);
    });
  }
  notReadyCause(): Error | undefined {
    return undefined;
  }
  onDeadlineOverrun(epoch: number): void {
    if (epoch !== this.epoch) return;
    this.overruns++;
    this.client.disconnect(true); // drop the stuck socket, reconnect
  }
}

describe('executeWithContext around ioredis', () => {
  it('deadline, classification, breaker, fallback and reporting work on an ioredis client', async () => {
    const server = await startRedis();
    const client = new Redis({
      host: '127.0.0.1',
      port: server.port,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => 50,
    });
    const connection = new IoredisConnection(client);
    await waitUntil(() => connection.isReady(), 3000);
    const breaker = new CircuitBreaker('ioredis', {
      timeout: 300,
      isFailure: isRedisAvailabilityFailure,
      failureThreshold: 3,
      resetTimeout: 300,
    });
    const reports: string[] = [];
    const ctx = {
      connection,
      breaker,
      reconnectGrace: 100,
      operationTimeout: 300,
      clock: systemClock,
      secrets: [],
      onFailure: (op: string, kind: string) => reports.push(`${op}:${kind}`),
    };
    expect(await executeWithContext(ctx, (c) => c.set('s', 'x'), fb, 'set')).toBe('OK');
    // Data error (ioredis ReplyError WRONGTYPE): propagates, does not trip.
    await expect(executeWithContext(ctx, (c) => c.lpush('s', 'y'), fb, 'lpush')).rejects.toThrow(
      /WRONGTYPE/,
    );
    expect(breaker.getStats().failureCount).toBe(0);

    // Frozen server: each call settles by its deadline with the timeout fallback.
    server.pause();
    const t0 = performance.now();
    const frozen = await Promise.all(
      [0, 1, 2, 3].map(() => executeWithContext(ctx, (c) => c.get('s'), fb, 'get')),
    );
    const took = performance.now() - t0;
    expect(took).toBeLessThan(300 + 250);
    expect(frozen).toEqual([
      { fallback: 'timeout' },
      { fallback: 'timeout' },
      { fallback: 'timeout' },
      { fallback: 'timeout' },
    ]);
    expect(breaker.state).toBe('open');
    expect(connection.overruns).toBeGreaterThanOrEqual(1);
    expect(await executeWithContext(ctx, (c) => c.get('s'), fb, 'get')).toEqual({
      fallback: 'circuit-open',
    });
    server.resume();
    const back = await waitUntil(() => connection.isReady(), 5000);
    expect(back).toBe(true);
    await sleep(350);
    expect(await executeWithContext(ctx, (c) => c.get('s'), fb, 'get')).toBe('x');
    expect(breaker.state).toBe('closed');
    expect(reports).toContain('lpush:data');
    expect(reports).toContain('get:timeout');
    client.disconnect();
    await server.stop();
  });
});
