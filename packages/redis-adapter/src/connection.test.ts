import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createFakeClock, exponentialBackoff } from '@breakwater/breaker';
import { RedisConnection, type NodeRedisClientLike } from './connection.js';
import { isRedisCorruptedReplyError } from './errors.js';
import type { RedisFailureKind } from './types.js';

/** The node-redis surface RedisConnection uses, driven by the test (events are synchronous). */
class FakeClient extends EventEmitter implements NodeRedisClientLike {
  isOpen = true;
  isReady = true;
  destroys = 0;
  connects = 0;
  connect(): Promise<unknown> {
    this.connects++;
    this.isOpen = true;
    return new Promise(() => {});
  }
  destroy(): void {
    this.destroys++;
    this.isOpen = false;
    this.isReady = false;
    this.emit('end');
  }
  close(): Promise<void> {
    this.destroy();
    return Promise.resolve();
  }
}

function setup(): {
  client: FakeClient;
  conn: RedisConnection<FakeClient>;
  errors: Array<[RedisFailureKind, unknown]>;
  clock: ReturnType<typeof createFakeClock>;
} {
  const clock = createFakeClock(0);
  const client = new FakeClient();
  const errors: Array<[RedisFailureKind, unknown]> = [];
  const conn = new RedisConnection(client, {
    connectTimeout: 1000,
    reconnectBackoff: exponentialBackoff({ initialDelay: 100, maxDelay: 2000, jitter: 'full' }),
    clock,
    ownsReconnect: true,
    onStateChange: () => {},
    onReconnecting: () => {},
    onError: (kind, error) => errors.push([kind, error]),
  });
  return { client, conn, errors, clock };
}

describe('RedisConnection: a reply stream that cannot be trusted', () => {
  it('destroys the client inside the error emit, reports it and reconnects through the loop', () => {
    const { client, conn, errors, clock } = setup();
    expect(conn.isReady()).toBe(true);
    const decoderError = new Error('Unknown RESP type 88 "X"');
    client.emit('error', decoderError);
    const destroysWhenEmitReturned = client.destroys;
    // synchronous: node-redis emits from its socket 'data' handler, before the next reply
    expect(destroysWhenEmitReturned).toBe(1);
    expect(conn.isReady()).toBe(false);
    expect(conn.state).toBe('reconnecting');
    expect(errors).toHaveLength(1);
    expect(errors[0]![0]).toBe('connection');
    expect(isRedisCorruptedReplyError(errors[0]![1])).toBe(true);
    expect((errors[0]![1] as Error).cause).toBe(decoderError);
    clock.advance(2000);
    expect(client.connects).toBe(1);
  });

  it('a reply no command was waiting for (node-redis TypeError) is treated alike', () => {
    const { client, errors } = setup();
    client.emit('error', new TypeError("Cannot read properties of undefined (reading 'resolve')"));
    expect(client.destroys).toBe(1);
    expect(isRedisCorruptedReplyError(errors[0]![1])).toBe(true);
  });

  it('an ordinary socket error does not destroy the client (node-redis reconnects it)', () => {
    const { client, errors } = setup();
    client.emit('error', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    expect(client.destroys).toBe(0);
    expect(errors.map(([k]) => k)).toEqual(['connection']);
  });

  it('after close() nothing is destroyed or reported again', async () => {
    const { client, conn, errors } = setup();
    await conn.close();
    const destroys = client.destroys;
    client.emit('error', new Error('Unknown RESP type 88 "X"'));
    expect(client.destroys).toBe(destroys);
    expect(errors).toEqual([]);
  });
});
