/**
 * The ways to talk to Redis that the outage bench compares. Each one answers a GET the way a
 * service would use it: the value ('ok'), a fallback ('degraded'), or a rejected promise
 * ('error', which the service must catch itself). "defaults" clients keep their defaults; the
 * only addition is an 'error' listener, without which node-redis and ioredis crash the process
 * on the first dropped connection. "tuned" clients get the fail-fast settings each client
 * offers today, with the breakers' deadline as their command timeout:
 * - node-redis 6.4: `disableOfflineQueue: true`, `commandOptions: { timeout, rejectInFlight: true }`
 *   (`rejectInFlight` is 6.4's experimental option: the timeout also rejects a command already
 *   written, with TimeoutReadError; the connection stays open);
 * - ioredis 6.1: `enableOfflineQueue: false`, `commandTimeout`, `maxRetriesPerRequest: 0`.
 */
import { createRequire } from 'node:module';
import { Redis as IORedis } from 'ioredis';
import { createClient } from 'redis';
import { exponentialBackoff } from '@breakwater/breaker';
import { createRedisAdapter } from '@breakwater/redis-adapter';
import { createIoredisAdapter } from '@breakwater/redis-adapter/ioredis';
import type { Outcome } from '../demo/load-generator.js';

export const CONTESTANTS = [
  'node-redis',
  'node-redis-tuned',
  'ioredis',
  'ioredis-tuned',
  'opossum',
  'breakwater',
  'breakwater-ioredis',
] as const;
export type ContestantName = (typeof CONTESTANTS)[number];

/** What each contestant is, for the table. */
export const CONTESTANT_LABELS: Readonly<Record<ContestantName, string>> = {
  'node-redis': 'node-redis 6.4 defaults',
  'node-redis-tuned': 'node-redis 6.4 tuned',
  ioredis: 'ioredis 6.1 defaults',
  'ioredis-tuned': 'ioredis 6.1 tuned',
  opossum: 'node-redis + opossum 9',
  breakwater: 'breakwater (node-redis)',
  'breakwater-ioredis': 'breakwater (ioredis 6.1)',
};

export interface Contestant {
  connect(): Promise<void>;
  get(key: string): Promise<Outcome>;
  close(): Promise<void>;
  /** Reconnect attempts so far (the client's or the adapter's 'reconnecting' events). */
  reconnects(): number;
}

/** Settings shared by the breakers and the tuned clients, so they are compared like for like. */
export interface BreakerSettings {
  /** Per-call deadline (the tuned clients' command timeout), in milliseconds. */
  timeoutMs: number;
  /** Open period before a trial call, in milliseconds. */
  resetTimeoutMs: number;
  /**
   * breakwater only: cap of its reconnect backoff (full jitter from 100 ms, factor 2), for
   * trade-off experiments. @default the adapter's default reconnectBackoff
   */
  reconnectCapMs?: number;
}

/** Counts 'reconnecting' events of an emitter. */
function counter(on: (event: 'reconnecting', fn: () => void) => unknown): () => number {
  let n = 0;
  on('reconnecting', () => void n++);
  return () => n;
}

const FALLBACK = Symbol('fallback');

/** The part of opossum 9 used here (the package ships no types). */
interface Opossum<A extends unknown[], R> {
  fire(...args: A): Promise<R>;
  fallback(fn: () => unknown): this;
  on(event: string, fn: (...args: unknown[]) => void): this;
  shutdown(): void;
}
type OpossumCtor = new <A extends unknown[], R>(
  action: (...args: A) => Promise<R>,
  options: Record<string, unknown>,
) => Opossum<A, R>;

const require = createRequire(import.meta.url);

function nodeRedis(url: string, tunedTimeoutMs?: number): Contestant {
  const client =
    tunedTimeoutMs === undefined
      ? createClient({ url })
      : createClient({
          url,
          disableOfflineQueue: true,
          commandOptions: { timeout: tunedTimeoutMs, rejectInFlight: true },
        });
  client.on('error', () => undefined);
  return {
    connect: async () => void (await client.connect()),
    get: async (key) => {
      await client.get(key);
      return 'ok';
    },
    close: async () => client.destroy(),
    reconnects: counter((e, fn) => client.on(e, fn)),
  };
}

function ioredis(url: string, tunedTimeoutMs?: number): Contestant {
  const client =
    tunedTimeoutMs === undefined
      ? new IORedis(url, { lazyConnect: true })
      : new IORedis(url, {
          lazyConnect: true,
          enableOfflineQueue: false,
          commandTimeout: tunedTimeoutMs,
          maxRetriesPerRequest: 0,
        });
  client.on('error', () => undefined);
  return {
    connect: () => client.connect(),
    get: async (key) => {
      await client.get(key);
      return 'ok';
    },
    close: async () => client.disconnect(),
    reconnects: counter((e, fn) => client.on(e, fn)),
  };
}

function opossum(url: string, settings: BreakerSettings): Contestant {
  const CircuitBreaker = require('opossum') as OpossumCtor;
  const client = createClient({ url });
  client.on('error', () => undefined);
  const breaker = new CircuitBreaker((key: string) => client.get(key), {
    timeout: settings.timeoutMs,
    resetTimeout: settings.resetTimeoutMs,
  });
  breaker.fallback(() => FALLBACK);
  return {
    connect: async () => void (await client.connect()),
    get: async (key) => {
      const value: unknown = await breaker.fire(key);
      return value === FALLBACK ? 'degraded' : 'ok';
    },
    close: async () => {
      breaker.shutdown();
      client.destroy();
    },
    reconnects: counter((e, fn) => client.on(e, fn)),
  };
}

function breakwater(
  url: string,
  settings: BreakerSettings,
  create: (o: Parameters<typeof createRedisAdapter>[0]) => {
    connect(): Promise<void>;
    close(): Promise<void>;
    on(event: 'reconnecting', fn: () => void): unknown;
    executeRedisOperation<T, F>(
      op: (c: { get(k: string): Promise<string | null> }) => Promise<T>,
      fb: () => F,
      name: string,
    ): Promise<T | F>;
  } = createRedisAdapter,
): Contestant {
  const cap = settings.reconnectCapMs;
  const adapter = create({
    url,
    operationTimeout: settings.timeoutMs,
    breaker: { resetTimeout: settings.resetTimeoutMs },
    ...(cap === undefined
      ? {}
      : { reconnectBackoff: exponentialBackoff({ initialDelay: 100, maxDelay: cap }) }),
  });
  return {
    connect: () => adapter.connect(),
    get: async (key) => {
      const value: unknown = await adapter.executeRedisOperation(
        (c) => c.get(key),
        (): unknown => FALLBACK,
        'bench-get',
      );
      return value === FALLBACK ? 'degraded' : 'ok';
    },
    close: () => adapter.close(),
    reconnects: counter((e, fn) => adapter.on(e, fn)),
  };
}

export function createContestant(
  name: ContestantName,
  url: string,
  settings: BreakerSettings,
): Contestant {
  switch (name) {
    case 'node-redis':
      return nodeRedis(url);
    case 'node-redis-tuned':
      return nodeRedis(url, settings.timeoutMs);
    case 'ioredis':
      return ioredis(url);
    case 'ioredis-tuned':
      return ioredis(url, settings.timeoutMs);
    case 'opossum':
      return opossum(url, settings);
    case 'breakwater':
      return breakwater(url, settings);
    case 'breakwater-ioredis':
      return breakwater(url, settings, createIoredisAdapter);
  }
}
