/**
 * IoredisLifecycle.close() against a real redis-server and a real ioredis client: the 'end'
 * listener it adds is gone afterwards, also when QUIT fails (the connection already ended) and
 * when it succeeds.
 */
import { createFakeClock } from '@breakwater/breaker';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { IoredisLifecycle } from '../src/ioredis/ioredis-lifecycle.js';
import { startRedis, stopAllRedis } from '../../../test-support/redis-server.js';

afterAll(stopAllRedis);

describe('IoredisLifecycle.close() with a real ioredis client', () => {
  it("leaves no 'end' listener behind, whether QUIT succeeds or fails", async () => {
    const server = await startRedis();
    const options = { owned: true, pingInterval: false as const, clock: createFakeClock(0) };

    const ok = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true });
    const okShim = new IoredisLifecycle(ok as never, options);
    await ok.connect();
    const baseline = ok.listenerCount('end');
    await okShim.close();
    expect(ok.status).toBe('end');
    expect(ok.listenerCount('end')).toBe(baseline);

    // QUIT on a connection that has already ended rejects ("Connection is closed.").
    const gone = new Redis({ port: server.port, host: '127.0.0.1', lazyConnect: true });
    const goneShim = new IoredisLifecycle(gone as never, options);
    await gone.connect();
    gone.disconnect(false);
    await new Promise((r) => gone.once('end', r));
    const before = gone.listenerCount('end');
    await expect(goneShim.close()).rejects.toThrow(/Connection is closed/);
    expect(gone.listenerCount('end')).toBe(before);
    await server.stop();
  });
});
