/**
 * The clients every server-backed fault test runs over: `describe.each(CLIENTS)` runs a suite
 * once per client, through the same adapter options and the same operations.
 */
import { createRedisAdapter, type RedisAdapter, type RedisAdapterOptions } from '../src/index.js';
import { createIoredisAdapter } from '../src/ioredis/index.js';

/** The commands the suites call; node-redis and ioredis both answer them the same way. */
export interface Commands {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
  incr(key: string): Promise<number>;
  ping(): Promise<string>;
  lPushOrLpush(key: string, value: string): Promise<number>;
}

/** One client under test. */
export interface ClientUnderTest {
  name: 'node-redis' | 'ioredis';
  /** An adapter over a client this factory makes, with `options`. */
  create(options: RedisAdapterOptions): RedisAdapter<Commands>;
}

/** node-redis spells it lPush, ioredis lpush: one name for both. */
function withLPush<C extends object>(
  adapter: RedisAdapter<C>,
  lpush: (c: C, key: string, value: string) => Promise<number>,
): RedisAdapter<Commands> {
  const client = adapter.client as C & Partial<Commands>;
  client.lPushOrLpush = (key: string, value: string) => lpush(client, key, value);
  return adapter as unknown as RedisAdapter<Commands>;
}

export const CLIENTS: readonly ClientUnderTest[] = [
  {
    name: 'node-redis',
    create: (options) => withLPush(createRedisAdapter(options), (c, k, v) => c.lPush(k, v)),
  },
  {
    name: 'ioredis',
    create: (options) => withLPush(createIoredisAdapter(options), (c, k, v) => c.lpush(k, v)),
  },
];
