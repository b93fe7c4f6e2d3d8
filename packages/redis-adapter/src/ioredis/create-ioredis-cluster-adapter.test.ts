import { describe, expect, it } from 'vitest';
import { resolveRedisClusterAdapterOptions } from '../cluster/cluster-options.js';
import {
  buildIoredisClusterOptions,
  createIoredisClusterAdapter,
  ioredisNodeRetryStrategy,
} from './create-ioredis-cluster-adapter.js';

const seeds = ['10.0.0.1:7000', '10.0.0.2:7001'];

describe('buildIoredisClusterOptions', () => {
  it('turns off the queues and re-sends, and hands every node the resilience settings', () => {
    const r = resolveRedisClusterAdapterOptions({
      rootNodes: seeds,
      password: 's3cret',
      connectTimeout: 1500,
      socketTimeout: 9000,
      pingInterval: 3000,
      clientName: 'svc',
      maxCommandRedirections: 5,
    });
    const o = buildIoredisClusterOptions(r);
    expect(o).toMatchObject({
      lazyConnect: true,
      clusterRetryStrategy: null,
      enableOfflineQueue: false,
      enableReadyCheck: false,
      retryDelayOnFailover: 0,
      retryDelayOnClusterDown: 0,
      maxRedirections: 5,
      scaleReads: 'master',
      slotsRefreshTimeout: 1000,
    });
    expect(typeof o.clusterNodeRetryStrategy).toBe('function');
    const node = o.redisOptions as Record<string, unknown>;
    expect(node).toMatchObject({
      password: 's3cret',
      connectTimeout: 1500,
      socketTimeout: 9000,
      connectionName: 'svc',
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
    });
    // ioredis rejects these in redisOptions (it sets them per node) or they name one server
    for (const k of ['host', 'port', 'db', 'retryStrategy', 'enableOfflineQueue', 'lazyConnect']) {
      expect(node).not.toHaveProperty(k);
    }
  });

  it('spreads reads over replicas with useReplicas, and bounds a slot refresh by connectTimeout', () => {
    const r = resolveRedisClusterAdapterOptions({
      rootNodes: seeds,
      useReplicas: true,
      connectTimeout: 300,
    });
    const o = buildIoredisClusterOptions(r);
    expect(o.scaleReads).toBe('all');
    expect(o.slotsRefreshTimeout).toBe(300);
  });
});

describe('ioredisNodeRetryStrategy', () => {
  it("maps ioredis' 1-based attempt to the backoff's 0-based one, always a finite delay", () => {
    const asked: number[] = [];
    const strategy = ioredisNodeRetryStrategy({
      delay: (attempt) => {
        asked.push(attempt);
        return attempt === 2 ? Number.NaN : attempt * 10.4;
      },
    });
    expect([strategy(1), strategy(2), strategy(3)]).toEqual([0, 10, 1000]);
    expect(asked).toEqual([0, 1, 2]);
    const throwing = ioredisNodeRetryStrategy({
      delay: () => {
        throw new Error('bad backoff');
      },
    });
    expect(throwing(1)).toBe(1000);
  });
});

describe('createIoredisClusterAdapter', () => {
  it('validates like the node-redis factory, naming itself; a URL password is never echoed', () => {
    expect(() => createIoredisClusterAdapter({ rootNodes: [] })).toThrow(
      /^createIoredisClusterAdapter: rootNodes must be a non-empty array/,
    );
    expect(() =>
      createIoredisClusterAdapter({ rootNodes: seeds, url: 'redis://x' } as never),
    ).toThrow(/createIoredisClusterAdapter: unknown option "url"/);
    let message = '';
    try {
      createIoredisClusterAdapter({ rootNodes: ['redis://:hunter2@h:99999'] });
    } catch (e) {
      message = String((e as Error).message);
    }
    expect(message).toMatch(/^createIoredisClusterAdapter: rootNodes\[0\]/);
    expect(message).not.toContain('hunter2');
  });

  it('makes an adapter without connecting; close() before connect() settles', async () => {
    const a = createIoredisClusterAdapter({ rootNodes: seeds, name: 'c1' });
    expect(a.topology).toBe('cluster');
    expect(a.connectionState).toBe('closed'); // until connect()
    expect(a.client.status).toBe('wait');
    expect(JSON.stringify(a)).toBe('{"name":"c1","topology":"cluster","connectionState":"closed"}');
    await a.close();
    expect(a.connectionState).toBe('closed');
  });
});
