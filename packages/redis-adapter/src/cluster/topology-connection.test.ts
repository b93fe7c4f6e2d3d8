import { describe, expect, it } from 'vitest';
import { createFakeClock, exponentialBackoff } from '@breakwater/breaker';
import { RedisCorruptedReplyError } from '../errors.js';
import type { RedisFailureKind } from '../types.js';
import { TopologyConnection, type TopologyClientLike } from './topology-connection.js';

/** A topology client (Sentinel/cluster object) whose connect() the test settles. */
class FakeTopologyClient implements TopologyClientLike {
  isOpen = false;
  isReady = false;
  connects = 0;
  destroys = 0;
  private settle: (() => void) | undefined;
  connect(): Promise<unknown> {
    this.connects++;
    this.isOpen = true;
    return new Promise<void>((resolve) => {
      this.settle = () => {
        this.isReady = true;
        resolve();
      };
    });
  }
  finishConnect(): void {
    this.settle?.();
  }
  destroy(): Promise<void> {
    this.destroys++;
    this.isOpen = false;
    this.isReady = false;
    return Promise.resolve();
  }
  close(): Promise<unknown> {
    return this.destroy();
  }
}

async function readyConnection(): Promise<{
  client: FakeTopologyClient;
  topology: TopologyConnection;
  errors: RedisFailureKind[];
}> {
  const client = new FakeTopologyClient();
  const errors: RedisFailureKind[] = [];
  const topology = new TopologyConnection(client, {
    connectTimeout: 1000,
    reconnectBackoff: exponentialBackoff({ initialDelay: 100, maxDelay: 1000 }),
    clock: createFakeClock(0),
    onStateChange: () => {},
    onReconnecting: () => {},
    onError: (kind) => errors.push(kind),
  });
  const outcome = topology.connect();
  client.finishConnect();
  expect(await outcome).toBe('ready');
  return { client, topology, errors };
}

describe('TopologyConnection.restart (a reply stream that cannot be trusted)', () => {
  it('destroys the client and reconnects it before returning, then is ready again', async () => {
    const { client, topology, errors } = await readyConnection();
    const cause = new Error('Unknown RESP type 88 "X"');
    expect(topology.restart(new RedisCorruptedReplyError('master client x', { cause }))).toBe(true);
    // synchronous: node-redis' Sentinel retries the destroyed commands on the new connection
    // only if the reconnect is already under way when their rejections run
    expect(client.destroys).toBe(1);
    expect(client.connects).toBe(2);
    expect(topology.state).toBe('reconnecting');
    expect(topology.isReady()).toBe(false);
    expect(errors).toEqual(['connection']);
    client.finishConnect();
    await new Promise((r) => setImmediate(r));
    expect(topology.state).toBe('ready');
  });

  it('does nothing once closed', async () => {
    const { client, topology, errors } = await readyConnection();
    await topology.close();
    const destroys = client.destroys;
    expect(topology.restart(new RedisCorruptedReplyError('master client x'))).toBe(false);
    expect(client.destroys).toBe(destroys);
    expect(client.connects).toBe(1);
    expect(errors).toEqual([]);
  });
});
