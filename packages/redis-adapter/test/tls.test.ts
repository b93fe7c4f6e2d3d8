/**
 * TLS with a CA generated in the test: verification is on by default, success with the CA, a
 * clear typed failure without it (no reconnect loop), SNI derived from the host name.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRedisTlsError, type RedisFailureKind } from '../src/index.js';
import { buildClientOptions } from '../src/create-redis-adapter.js';
import { resolveRedisAdapterOptions } from '../src/resolve-redis-adapter-options.js';
import { buildIoredisOptions } from '../src/ioredis/create-ioredis-adapter.js';
import { CLIENTS } from './clients.js';
import { createTestCa, removeTestCa, type TlsFiles } from '../../../test-support/tls.js';
import { startRedis, stopAllRedis, type RedisServer } from '../../../test-support/redis-server.js';

let files: TlsFiles;
let server: RedisServer;
beforeAll(async () => {
  files = await createTestCa();
  server = await startRedis({ tls: files });
});
afterAll(async () => {
  await stopAllRedis();
  removeTestCa(files);
});

const fb = (kind: RedisFailureKind) => ({ fallback: kind });

describe.each(CLIENTS)('TLS ($name)', ({ create, name }) => {
  it('connects with the test CA (rediss://localhost, SNI "localhost")', async () => {
    const adapter = create({
      url: `rediss://localhost:${server.port}`,
      tls: { ca: files.ca },
    });
    await adapter.connect();
    expect(await adapter.executeRedisOperation((c) => c.ping(), fb, 'ping')).toBe('PONG');
    await adapter.close();
  });

  it('tls: true with an IP host works too (no SNI for IPs)', async () => {
    const adapter = create({
      host: '127.0.0.1',
      port: server.port,
      tls: { ca: files.ca },
    });
    await adapter.connect();
    expect(await adapter.executeRedisOperation((c) => c.set('t', '1'), fb, 'set')).toBe('OK');
    await adapter.close();
  });

  it('without the CA: RedisTlsError quickly, no reconnect loop, calls fall back with kind tls', async () => {
    for (const tls of [true, { ca: files.otherCa }] as const) {
      const adapter = create({ url: `rediss://localhost:${server.port}`, tls });
      let reconnects = 0;
      adapter.on('reconnecting', () => reconnects++);
      const t0 = performance.now();
      const err = await adapter.connect().then(
        () => null,
        (e: unknown) => e,
      );
      expect(performance.now() - t0).toBeLessThan(1000);
      expect(isRedisTlsError(err)).toBe(true);
      expect((err as Error).message).toMatch(/TLS handshake with Redis failed/);
      expect(adapter.connectionState).toBe('failed');
      expect(reconnects).toBe(0);
      expect(await adapter.executeRedisOperation((c) => c.ping(), fb, 'ping')).toEqual({
        fallback: 'tls',
      });
      await adapter.close();
    }
  });

  it('verification stays on unless disabled explicitly; SNI defaults to the host name', () => {
    if (name === 'ioredis') {
      const tls = buildIoredisOptions(
        resolveRedisAdapterOptions({ url: 'rediss://cache.example.com:6380' }),
      ).tls as Record<string, unknown>;
      expect(tls.servername).toBe('cache.example.com');
      expect('rejectUnauthorized' in tls).toBe(false);
      const ipTls = buildIoredisOptions(resolveRedisAdapterOptions({ url: 'rediss://10.0.0.1' }))
        .tls as Record<string, unknown>;
      expect(ipTls).toBeDefined();
      expect('servername' in ipTls).toBe(false);
    }
    const r = resolveRedisAdapterOptions({ url: 'rediss://cache.example.com:6380' });
    const socket = buildClientOptions(r).socket as Record<string, unknown>;
    expect(socket.tls).toBe(true);
    expect(socket.servername).toBe('cache.example.com');
    expect('rejectUnauthorized' in socket).toBe(false); // Node's default: true
    const ip = buildClientOptions(resolveRedisAdapterOptions({ url: 'rediss://10.0.0.1' }))
      .socket as Record<string, unknown>;
    expect('servername' in ip).toBe(false);
    // The package source never turns verification off.
    for (const dir of ['../src/', '../src/ioredis/']) {
      const src = fileURLToPath(new URL(dir, import.meta.url));
      for (const f of readdirSync(src)) {
        if (!f.endsWith('.ts') || f.endsWith('.test.ts')) continue;
        expect(readFileSync(src + f, 'utf8')).not.toMatch(/rejectUnauthorized:\s*false/);
      }
    }
  });
});
