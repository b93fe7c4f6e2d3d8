/**
 * Server-side idle reaping (CONFIG SET timeout 1) is invisible to callers and a silent socket is
 * replaced (once per client); data errors propagate unchanged without tripping the breaker, and
 * MULTI / pipelines are covered by the deadline (each client's own API).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisAdapter, type RedisFailureKind } from '../src/index.js';
import { createIoredisAdapter } from '../src/ioredis/index.js';
import { startRedis, stopAllRedis } from '../../../test-support/redis-server.js';
import { CLIENTS } from './clients.js';
import { sleep } from './load.js';

afterAll(stopAllRedis);

const fb = (kind: RedisFailureKind) => ({ fallback: kind });

describe.each(CLIENTS)('idle reaping ($name)', ({ create, name }) => {
  it('CONFIG SET timeout 1 with random idle gaps: zero fallbacks, reconnects absorbed by the grace', async () => {
    const server = await startRedis({ args: ['--hz', '100'] });
    await server.cli('CONFIG', 'SET', 'timeout', '1');
    // pingInterval above the server timeout so that the server really reaps the connection.
    const adapter = create({ url: server.url, pingInterval: 10_000 });
    let reconnects = 0;
    adapter.on('reconnecting', () => reconnects++);
    await adapter.connect();
    const results: unknown[] = [];
    const latencies: number[] = [];
    // Redis compares idle time in whole seconds: gaps above 2 s are reaped for sure, and the
    // random part varies where the next call lands relative to the close.
    for (let i = 0; i < 5; i++) {
      await sleep(2100 + Math.random() * 700);
      const t0 = performance.now();
      results.push(await adapter.executeRedisOperation((c) => c.incr('n'), fb, 'incr'));
      latencies.push(performance.now() - t0);
    }
    console.log(`${name} idle reaping`, {
      reconnects,
      latencies: latencies.map(Math.round),
      results,
    });
    expect(results.filter((r) => typeof r === 'object')).toEqual([]); // zero fallbacks
    expect(results).toEqual([1, 2, 3, 4, 5]);
    expect(reconnects).toBeGreaterThanOrEqual(3); // the server did reap idle connections
    expect(Math.max(...latencies)).toBeLessThan(250 + 200);
    await adapter.close();
    await server.stop();
  });

  it('pingInterval below the server timeout keeps the connection alive (no reconnect at all)', async () => {
    const server = await startRedis({ args: ['--hz', '100'] });
    await server.cli('CONFIG', 'SET', 'timeout', '1');
    const adapter = create({ url: server.url, pingInterval: 300, socketTimeout: 900 });
    let reconnects = 0;
    adapter.on('reconnecting', () => reconnects++);
    await adapter.connect();
    await sleep(2500);
    expect(await adapter.executeRedisOperation((c) => c.ping(), fb, 'ping')).toBe('PONG');
    expect(reconnects).toBe(0);
    await adapter.close();
    await server.stop();
  });
});

describe.each(CLIENTS)('dead-socket detector ($name)', ({ create }) => {
  it('socketTimeout on a silent idle connection reconnects instead of terminating', async () => {
    const server = await startRedis();
    const adapter = create({ url: server.url, pingInterval: 200, socketTimeout: 600 });
    const states: string[] = [];
    adapter.on('connectionState', (s) => states.push(s.to));
    await adapter.connect();
    server.pause(); // the PING hangs; no bytes flow; socketTimeout fires
    // Expected after about pingInterval + socketTimeout (800 ms); polled with a bound that
    // tolerates a busy 2-core box instead of a fixed 1300 ms sleep.
    const pausedAt = Date.now();
    while (!states.includes('reconnecting') && Date.now() - pausedAt < 3000) await sleep(20);
    expect(states).toContain('reconnecting');
    await sleep(Math.max(0, 1300 - (Date.now() - pausedAt))); // still watched for 'failed'
    expect(states).not.toContain('failed');
    server.resume();
    const t0 = Date.now();
    while (adapter.connectionState !== 'ready' && Date.now() - t0 < 5000) await sleep(20);
    expect(adapter.connectionState).toBe('ready');
    expect(await adapter.executeRedisOperation((c) => c.ping(), fb, 'ping')).toBe('PONG');
    await adapter.close();
    await server.stop();
  });
});

describe('data errors (node-redis)', () => {
  it('propagate unchanged and never trip the breaker; MULTI/WATCH conflicts too', async () => {
    const server = await startRedis();
    const reports: string[] = [];
    const adapter = createRedisAdapter({
      url: server.url,
      reporter: (r) => reports.push(r.message),
      reportInterval: 0,
    });
    await adapter.connect();
    await adapter.executeRedisOperation((c) => c.set('str', 'x'), fb, 'set');
    const fallbacks: string[] = [];
    const onFb = (kind: RedisFailureKind) => {
      fallbacks.push(kind);
      return 'fallback';
    };
    for (let i = 0; i < 20; i++) {
      // WRONGTYPE
      await expect(
        adapter.executeRedisOperation((c) => c.lPush('str', 'y'), onFb, 'lpush'),
      ).rejects.toThrow(/^WRONGTYPE/);
      // wrong arity
      await expect(
        adapter.executeRedisOperation((c) => c.sendCommand(['GET']), onFb, 'raw'),
      ).rejects.toThrow(/wrong number of arguments/);
      // syntax error
      await expect(
        adapter.executeRedisOperation(
          (c) => c.sendCommand(['SET', 'a', 'b', 'NOSUCHFLAG']),
          onFb,
          'raw',
        ),
      ).rejects.toThrow(/syntax error/);
    }
    // WATCH conflict: WatchError propagates.
    const watchErr = await adapter
      .executeRedisOperation(
        async (c) => {
          const iso = await c.duplicate().connect();
          try {
            await c.watch('w');
            await iso.set('w', 'changed');
            return await c.multi().set('w', 'mine').exec();
          } finally {
            iso.destroy();
          }
        },
        onFb,
        'watch',
      )
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect((watchErr as Error).constructor.name).toBe('WatchError');
    // An error thrown by the caller's own code is theirs too.
    await expect(
      adapter.executeRedisOperation(
        () => {
          throw new TypeError('bug in my code');
        },
        onFb,
        'bug',
      ),
    ).rejects.toThrow(TypeError);

    const stats = adapter.breaker.getStats();
    expect(stats.state).toBe('closed');
    expect(stats.failureCount).toBe(0);
    expect(fallbacks).toEqual([]);
    expect(
      reports.filter((m) => m.startsWith('[lpush] Redis error: data: WRONGTYPE')),
    ).toHaveLength(20);
    await adapter.close();
    await server.stop();
  });

  it('MULTI and pipelines are covered by the same deadline (frozen server)', async () => {
    const server = await startRedis();
    const adapter = createRedisAdapter({ url: server.url, operationTimeout: 300 });
    await adapter.connect();
    server.pause();
    const t0 = performance.now();
    const [multi, pipeline] = await Promise.all([
      adapter.executeRedisOperation((c) => c.multi().set('a', '1').get('a').exec(), fb, 'multi'),
      adapter.executeRedisOperation(
        (c) => c.multi().set('b', '1').get('b').execAsPipeline(),
        fb,
        'pipeline',
      ),
    ]);
    const took = performance.now() - t0;
    server.resume();
    expect(multi).toEqual({ fallback: 'timeout' });
    expect(pipeline).toEqual({ fallback: 'timeout' });
    expect(took).toBeLessThan(300 + 250);
    await adapter.close();
    await server.stop();
  });
});

describe('data errors (ioredis)', () => {
  it('propagate unchanged and never trip the breaker; a WATCH conflict resolves null', async () => {
    const server = await startRedis();
    const reports: string[] = [];
    const adapter = createIoredisAdapter({
      url: server.url,
      reporter: (r) => reports.push(r.message),
      reportInterval: 0,
    });
    await adapter.connect();
    await adapter.executeRedisOperation((c) => c.set('str', 'x'), fb, 'set');
    const fallbacks: string[] = [];
    const onFb = (kind: RedisFailureKind) => {
      fallbacks.push(kind);
      return 'fallback';
    };
    for (let i = 0; i < 20; i++) {
      await expect(
        adapter.executeRedisOperation((c) => c.lpush('str', 'y'), onFb, 'lpush'),
      ).rejects.toThrow(/^WRONGTYPE/);
      await expect(
        adapter.executeRedisOperation((c) => c.call('GET'), onFb, 'raw'),
      ).rejects.toThrow(/wrong number of arguments/);
      await expect(
        adapter.executeRedisOperation((c) => c.call('SET', 'a', 'b', 'NOSUCHFLAG'), onFb, 'raw'),
      ).rejects.toThrow(/syntax error/);
    }
    // ioredis resolves an aborted transaction (WATCH conflict) with null: the caller's value.
    const watched = await adapter.executeRedisOperation(
      async (c) => {
        const iso = c.duplicate(); // same options: lazy, no offline queue
        await iso.connect();
        try {
          await c.watch('w');
          await iso.set('w', 'changed');
          return await c.multi().set('w', 'mine').exec();
        } finally {
          iso.disconnect();
        }
      },
      onFb,
      'watch',
    );
    expect(watched).toBeNull();
    const stats = adapter.breaker.getStats();
    expect(stats.state).toBe('closed');
    expect(stats.failureCount).toBe(0);
    expect(fallbacks).toEqual([]);
    expect(
      reports.filter((m) => m.startsWith('[lpush] Redis error: data: WRONGTYPE')),
    ).toHaveLength(20);
    await adapter.close();
    await server.stop();
  });

  it('MULTI and pipelines are covered by the same deadline (frozen server)', async () => {
    const server = await startRedis();
    const adapter = createIoredisAdapter({ url: server.url, operationTimeout: 300 });
    await adapter.connect();
    server.pause();
    const t0 = performance.now();
    const [multi, pipeline] = await Promise.all([
      adapter.executeRedisOperation((c) => c.multi().set('a', '1').get('a').exec(), fb, 'multi'),
      adapter.executeRedisOperation(
        (c) => c.pipeline().set('b', '1').get('b').exec(),
        fb,
        'pipeline',
      ),
    ]);
    const took = performance.now() - t0;
    server.resume();
    expect(multi).toEqual({ fallback: 'timeout' });
    expect(pipeline).toEqual({ fallback: 'timeout' });
    expect(took).toBeLessThan(300 + 250);
    await adapter.close();
    await server.stop();
  });
});
