/**
 * Real faults under a steady call load: SIGKILL + restart, SIGSTOP + SIGCONT, CLIENT KILL,
 * DEBUG SLEEP, once per client (node-redis, ioredis). Each test asserts every call settled, the
 * worst latency against the deadline, the fallbacks and the breaker transitions it measured.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { exponentialBackoff } from '@breakwater/breaker';
import type { RedisAdapter, RedisFailureKind } from '../src/index.js';
import { startRedis, stopAllRedis, type RedisServer } from '../../../test-support/redis-server.js';
import { CLIENTS, type ClientUnderTest, type Commands } from './clients.js';
import { sleep, startLoad, waitUntil } from './load.js';

afterAll(stopAllRedis);

const DEADLINE = 400;
/** Allowed lateness over the deadline on a loaded 2-core machine. */
const MARGIN = 250;

function makeAdapter(
  client: ClientUnderTest,
  server: RedisServer,
): {
  adapter: RedisAdapter<Commands>;
  transitions: string[];
  connection: string[];
  reconnectDelays: number[];
} {
  const adapter = client.create({
    url: server.url,
    operationTimeout: DEADLINE,
    connectTimeout: 800,
    reportInterval: 60_000,
    breaker: {
      failureThreshold: 5,
      resetTimeout: exponentialBackoff({ initialDelay: 200, maxDelay: 800, jitter: 'equal' }),
    },
  });
  const transitions: string[] = [];
  const connection: string[] = [];
  const reconnectDelays: number[] = [];
  adapter.breaker.on('stateChange', (e) => transitions.push(`${e.from}->${e.to}`));
  adapter.on('connectionState', (e) => connection.push(e.to));
  adapter.on('reconnecting', (e) => reconnectDelays.push(e.delayMs));
  return { adapter, transitions, connection, reconnectDelays };
}

const get = (adapter: RedisAdapter<Commands>) => () =>
  adapter.executeRedisOperation(
    (c) => c.get('key'),
    (kind: RedisFailureKind) => ({ fallback: kind }),
    'get',
  );

describe.each(CLIENTS)('faults under load ($name)', (client) => {
  it('SIGKILL then restart: fallbacks during the outage, breaker opens, recovers after restart', async () => {
    const server = await startRedis();
    const { adapter, transitions, reconnectDelays } = makeAdapter(client, server);
    await adapter.connect();
    const load = startLoad(get(adapter), 10);
    await sleep(300);
    await server.kill();
    await sleep(1500);
    await server.restart();
    const restartedAt = performance.now();
    const recovered = await waitUntil(
      () => load.records.some((r) => r.outcome === 'success' && r.start > restartedAt),
      5000,
    );
    await sleep(200);
    const result = await load.stop();
    console.log(`${client.name} SIGKILL`, {
      recoveredAfterRestartMs: Math.round(
        (result.records.find((r) => r.outcome === 'success' && r.start > restartedAt)?.end ?? 0) -
          restartedAt,
      ),
      calls: result.records.length,
      maxLatency: Math.round(result.maxLatency),
      byKind: result.byKind,
      transitions,
      reconnectDelays: reconnectDelays.map(Math.round),
    });
    expect(recovered).toBe(true);
    expect(result.unsettled).toBe(0);
    expect(result.errors).toBe(0);
    expect(result.maxLatency).toBeLessThan(DEADLINE + MARGIN);
    expect(result.fallbacks).toBeGreaterThan(10);
    expect(transitions).toContain('closed->open');
    expect(transitions.at(-1)).toMatch(/^(half-open|open)->closed$/); // trial or reconnect probe
    expect(adapter.connectionState).toBe('ready');
    expect(reconnectDelays.length).toBeGreaterThan(1);
    expect(Math.max(...reconnectDelays)).toBeLessThanOrEqual(2000);
    await adapter.close();
    await server.stop();
  });

  it('SIGSTOP then SIGCONT: every call settles by its deadline, hung connection replaced', async () => {
    const server = await startRedis();
    const { adapter, transitions, connection } = makeAdapter(client, server);
    await adapter.connect();
    const load = startLoad(get(adapter), 10);
    await sleep(300);
    server.pause();
    const pausedAt = performance.now();
    await sleep(2500);
    server.resume();
    const resumedAt = performance.now();
    const recovered = await waitUntil(
      () => load.records.some((r) => r.outcome === 'success' && r.start > resumedAt),
      6000,
    );
    await sleep(200);
    const result = await load.stop();
    const duringPause = result.records.filter((r) => r.start > pausedAt && r.end < resumedAt);
    console.log(`${client.name} SIGSTOP`, {
      calls: result.records.length,
      maxLatency: Math.round(result.maxLatency),
      byKind: result.byKind,
      transitions,
      connection,
      recoveredAfterMs: Math.round(
        (result.records.find((r) => r.outcome === 'success' && r.start > resumedAt)?.end ?? 0) -
          resumedAt,
      ),
    });
    expect(recovered).toBe(true);
    expect(result.unsettled).toBe(0);
    expect(result.errors).toBe(0);
    expect(result.maxLatency).toBeLessThan(DEADLINE + MARGIN);
    expect(duringPause.every((r) => r.outcome === 'fallback')).toBe(true);
    expect(result.byKind.timeout).toBeGreaterThan(0);
    expect(result.byKind['circuit-open']).toBeGreaterThan(0);
    expect(transitions).toContain('closed->open');
    expect(transitions.at(-1)).toMatch(/^(half-open|open)->closed$/); // trial or reconnect probe
    // The hung connection was dropped and a new one made ready.
    expect(connection.indexOf('reconnecting')).toBeGreaterThanOrEqual(0);
    expect(connection.at(-1)).toBe('ready');
    await adapter.close();
    await server.stop();
  });

  it('CLIENT KILL: the connection is replaced (jittered) and calls keep settling', async () => {
    const server = await startRedis();
    const { adapter, connection, reconnectDelays } = makeAdapter(client, server);
    await adapter.connect();
    const load = startLoad(get(adapter), 5);
    await sleep(200);
    for (let i = 0; i < 3; i++) {
      // Each kill must hit an established connection: a kill landing while the previous
      // replacement is still connecting (a slow, contended box) would not count as its own
      // reconnect, or would count twice. The wait is bounded; readiness is asserted.
      expect(await waitUntil(() => adapter.connectionState === 'ready', 5000)).toBe(true);
      await server.cli('CLIENT', 'KILL', 'TYPE', 'normal');
      await sleep(400);
    }
    expect(await waitUntil(() => adapter.connectionState === 'ready', 5000)).toBe(true);
    const result = await load.stop();
    console.log(`${client.name} CLIENT KILL`, {
      calls: result.records.length,
      maxLatency: Math.round(result.maxLatency),
      byKind: result.byKind,
      reconnectDelays: reconnectDelays.map(Math.round),
    });
    expect(result.unsettled).toBe(0);
    expect(result.errors).toBe(0);
    expect(result.maxLatency).toBeLessThan(DEADLINE + MARGIN);
    expect(connection.filter((s) => s === 'reconnecting')).toHaveLength(3);
    expect(reconnectDelays).toHaveLength(3);
    // Calls arriving during the (jittered) reconnect wait inside the grace and are served; at
    // most a call in flight at the moment of each kill can fall back.
    expect(result.fallbacks).toBeLessThanOrEqual(3);
    expect(adapter.connectionState).toBe('ready');
    await adapter.close();
    await server.stop();
  });

  it('DEBUG SLEEP (slow server): calls settle by the deadline, breaker opens and recovers', async () => {
    const server = await startRedis();
    const { adapter, transitions } = makeAdapter(client, server);
    await adapter.connect();
    const load = startLoad(get(adapter), 10);
    await sleep(200);
    const sleeping = server.cli('DEBUG', 'SLEEP', '1.5');
    await sleeping;
    const wokeAt = performance.now();
    const recovered = await waitUntil(
      () => load.records.some((r) => r.outcome === 'success' && r.start > wokeAt),
      5000,
    );
    const result = await load.stop();
    console.log(`${client.name} DEBUG SLEEP`, {
      calls: result.records.length,
      maxLatency: Math.round(result.maxLatency),
      byKind: result.byKind,
      transitions,
    });
    expect(recovered).toBe(true);
    expect(result.unsettled).toBe(0);
    expect(result.errors).toBe(0);
    expect(result.maxLatency).toBeLessThan(DEADLINE + MARGIN);
    expect(result.byKind.timeout).toBeGreaterThan(0);
    expect(transitions).toContain('closed->open');
    expect(transitions.at(-1)).toMatch(/^(half-open|open)->closed$/); // trial or reconnect probe
    await adapter.close();
    await server.stop();
  });
});
