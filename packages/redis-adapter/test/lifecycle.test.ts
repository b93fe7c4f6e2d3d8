/**
 * Connect / close lifecycle against real redis-server processes, once per client: startup when
 * Redis is down, permanent failures (wrong password, no password); then node-redis' RESP 2
 * protocol error and ioredis' own RESP 2 fallback, and close() leaving no handle.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createRedisAdapter,
  isRedisAuthenticationError,
  isRedisProtocolError,
  isRedisUnavailableError,
  type RedisConnectionState,
} from '../src/index.js';
import { createIoredisAdapter } from '../src/ioredis/index.js';
import { freePort, startRedis, stopAllRedis } from '../../../test-support/redis-server.js';
import { CLIENTS } from './clients.js';

afterAll(stopAllRedis);

const fb = (kind: string) => ({ fallback: kind });

describe.each(CLIENTS)('startup ($name)', ({ create }) => {
  it('connect() to a port nobody listens on settles within connectTimeout and runs degraded', async () => {
    const port = await freePort();
    const adapter = create({ port, host: '127.0.0.1', connectTimeout: 400 });
    const states: RedisConnectionState[] = [];
    adapter.on('connectionState', (s) => states.push(s.to));
    let reconnects = 0;
    adapter.on('reconnecting', () => reconnects++);
    // Node arms timers from the event loop's cached time, taken when this turn began: a slow
    // turn (cold code on a busy box) would make connectTimeout fire early measured from t0.
    // Start from a fresh turn so the lower bound below measures the adapter, not the loop.
    await new Promise((r) => setImmediate(r));
    const t0 = performance.now();
    await adapter.connect(); // requireConnection false: resolves degraded
    const took = performance.now() - t0;
    expect(took).toBeGreaterThanOrEqual(390);
    expect(took).toBeLessThan(400 + 300);
    expect(adapter.connectionState).toBe('connecting');
    expect(reconnects).toBeGreaterThan(0);
    const t1 = performance.now();
    const v = await adapter.executeRedisOperation((c) => c.get('k'), fb, 'get');
    expect(v).toEqual({ fallback: 'not-ready' });
    expect(performance.now() - t1).toBeLessThan(250 + 200); // the reconnect grace, then at once

    // The server appears on that port: the background loop connects without help.
    const server = await startRedis({ port });
    const ready = await new Promise<boolean>((resolve) => {
      if (adapter.connectionState === 'ready') resolve(true);
      const off = adapter.on('connectionState', (s) => s.to === 'ready' && (off(), resolve(true)));
      setTimeout(() => resolve(false), 5000);
    });
    expect(ready).toBe(true);
    expect(await adapter.executeRedisOperation((c) => c.set('k', 'v'), fb, 'set')).toBe('OK');
    await adapter.close();
    expect(adapter.connectionState).toBe('closed');
    expect(states.at(-1)).toBe('closed');
    await server.stop();
  });

  it('requireConnection rejects with RedisUnavailableError within connectTimeout', async () => {
    const port = await freePort();
    const adapter = create({
      port,
      host: '127.0.0.1',
      connectTimeout: 300,
      requireConnection: true,
    });
    const t0 = performance.now();
    const err = await adapter.connect().then(
      () => null,
      (e: unknown) => e,
    );
    expect(performance.now() - t0).toBeLessThan(300 + 300);
    expect(isRedisUnavailableError(err)).toBe(true);
    expect((err as Error).message).toContain(`127.0.0.1:${port}`);
    expect(adapter.connectionState).toBe('closed');
    await adapter.close();
  });

  it('a server that accepts TCP but never answers the handshake (SIGSTOP): connect() settles by connectTimeout', async () => {
    const server = await startRedis();
    server.pause();
    const adapter = create({ url: server.url, connectTimeout: 500 });
    const kinds: string[] = [];
    adapter.on('reconnecting', (e) => kinds.push(e.kind));
    const t0 = performance.now();
    await adapter.connect(); // degraded, not hung
    const took = performance.now() - t0;
    expect(took).toBeLessThan(500 + 300);
    expect(adapter.connectionState).toBe('connecting');
    // The handshake watchdog cuts the stuck attempt (about when connect() settles) and
    // schedules another one.
    const t1 = Date.now();
    while (kinds.length === 0 && Date.now() - t1 < 1000)
      await new Promise((r) => setTimeout(r, 20));
    expect(kinds[0]).toBe('timeout');
    server.resume();
    const ready = await new Promise<boolean>((resolve) => {
      const off = adapter.on('connectionState', (s) => s.to === 'ready' && (off(), resolve(true)));
      setTimeout(() => resolve(adapter.connectionState === 'ready'), 5000);
    });
    expect(ready).toBe(true);
    await adapter.close();
    await server.stop();
  });
});

describe.each(CLIENTS)(
  'permanent failures stop the reconnect loop with a typed error ($name)',
  ({ create }) => {
    it('wrong password: connect() rejects with RedisAuthenticationError within a second', async () => {
      const secret = 'correct-horse-battery';
      const server = await startRedis({ password: secret });
      const reports: string[] = [];
      const adapter = create({
        url: `redis://:wrong-pass-123@127.0.0.1:${server.port}`,
        reporter: (r) => reports.push(r.message),
      });
      let reconnects = 0;
      adapter.on('reconnecting', () => reconnects++);
      const t0 = performance.now();
      const err = await adapter.connect().then(
        () => null,
        (e: unknown) => e,
      );
      const took = performance.now() - t0;
      console.log(`wrong password: connect() rejected after ${Math.round(took)} ms`);
      expect(took).toBeLessThan(1000);
      expect(isRedisAuthenticationError(err)).toBe(true);
      expect((err as Error).message).toMatch(/WRONGPASS/);
      expect(adapter.connectionState).toBe('failed');
      // No loop: nothing more happens.
      await new Promise((r) => setTimeout(r, 500));
      expect(reconnects).toBe(0);
      // Calls take the fallback at once with the auth kind.
      const t1 = performance.now();
      expect(await adapter.executeRedisOperation((c) => c.get('k'), fb, 'get')).toEqual({
        fallback: 'auth',
      });
      // At once: no reconnect grace (250 ms by default) is waited; the bound leaves room for a
      // busy 2-core box while staying below that grace.
      expect(performance.now() - t1).toBeLessThan(200);
      expect(adapter.health().status).toBe('fail');
      expect(JSON.stringify(adapter.health())).not.toContain('wrong-pass-123');
      expect(reports.join('\n')).not.toContain('wrong-pass-123');
      expect(reports.join('\n')).toMatch(/\[connection\] Redis error: auth: /);
      await adapter.close();
      await server.stop();
    });

    it('no password against requirepass: RedisAuthenticationError (NOAUTH)', async () => {
      const server = await startRedis({ password: 'pw-1' });
      const adapter = create({ url: server.url });
      const err = await adapter.connect().then(
        () => null,
        (e: unknown) => e,
      );
      expect(isRedisAuthenticationError(err)).toBe(true);
      expect((err as Error).message).toMatch(/requires a password/);
      await adapter.close();
      await server.stop();
    });
  },
);

describe('RESP 2 servers (no HELLO)', () => {
  it('server without HELLO: RedisProtocolError suggesting RESP: 2; RESP 2 then works', async () => {
    const server = await startRedis({ args: ['--rename-command', 'HELLO', '""'] });
    const adapter = createRedisAdapter({ url: server.url });
    const t0 = performance.now();
    const err = await adapter.connect().then(
      () => null,
      (e: unknown) => e,
    );
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(isRedisProtocolError(err)).toBe(true);
    expect((err as Error).message).toMatch(/RESP: 2/);
    await adapter.close();

    const resp2 = createRedisAdapter({ url: server.url, RESP: 2 });
    await resp2.connect();
    expect(await resp2.executeRedisOperation((c) => c.ping(), fb, 'ping')).toBe('PONG');
    await resp2.close();
    await server.stop();
  });

  it('ioredis falls back to RESP 2 by itself: connect() succeeds without the RESP option', async () => {
    const server = await startRedis({ args: ['--rename-command', 'HELLO', '""'] });
    const adapter = createIoredisAdapter({ url: server.url });
    await adapter.connect();
    expect(adapter.connectionState).toBe('ready');
    expect(await adapter.executeRedisOperation((c) => c.ping(), fb, 'ping')).toBe('PONG');
    await adapter.close();
    await server.stop();
  });
});

describe.each(CLIENTS)('close() ($name)', ({ name }) => {
  it('leaves no handle: a child process that connects, calls and closes exits on its own', async () => {
    const server = await startRedis();
    const script = fileURLToPath(new URL('./fixtures/connect-and-close.ts', import.meta.url));
    const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
    const t0 = performance.now();
    const result = await new Promise<{
      code: number | null;
      out: string;
      killed: boolean;
      exitedAt: number;
    }>((resolve) => {
      const child = spawn(tsx, [script, server.url, name], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      let killed = false;
      const guard = setTimeout(() => {
        killed = true;
        child.kill('SIGKILL');
      }, 15_000);
      child.on('exit', (code) => {
        clearTimeout(guard);
        resolve({ code, out, killed, exitedAt: Date.now() });
      });
    });
    expect(result.killed).toBe(false);
    expect(result.code).toBe(0);
    const closeMs = Number(/closed-after-ms=(\d+)/.exec(result.out)?.[1]);
    const closedAt = Number(/closed-at=(\d+)/.exec(result.out)?.[1]);
    // close() itself is quick, and from close() returning to process exit there is no timer or
    // socket left to wait for.
    expect(closeMs).toBeLessThan(1000);
    const exitLag = result.exitedAt - closedAt;
    console.log(`${name}: close() took ${closeMs} ms; process exited ${exitLag} ms after close()`);
    expect(exitLag).toBeLessThan(1000);
    expect(performance.now() - t0).toBeLessThan(15_000);
    await server.stop();
  });
});
