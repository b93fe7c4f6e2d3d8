/**
 * Options of the wrap factories (wrapRedisClient, wrapIoredisClient): the adapter's own
 * settings only; connection settings belong to the client the service made.
 */
import type { RedisAdapterOptions, ResolvedRedisAdapterOptions } from './options.js';
import { resolveRedisAdapterOptions } from './resolve-redis-adapter-options.js';

/** Options of {@link wrapRedisClient} / wrapIoredisClient: connection settings are the client's own. */
export type WrapRedisClientOptions = Omit<
  RedisAdapterOptions,
  | 'url'
  | 'host'
  | 'port'
  | 'username'
  | 'password'
  | 'database'
  | 'tls'
  | 'RESP'
  | 'clientName'
  | 'pingInterval'
  | 'socketTimeout'
  | 'keepAlive'
  | 'keepAliveInitialDelay'
> & {
  /** The password the client uses, only so it can be scrubbed from reports. */
  password?: string;
};

const WRAP_FORBIDDEN = [
  'url',
  'host',
  'port',
  'username',
  'database',
  'tls',
  'RESP',
  'clientName',
  'pingInterval',
  'socketTimeout',
  'keepAlive',
  'keepAliveInitialDelay',
];

/**
 * Validates and resolves the options of a wrap factory named `where`: rejects options that
 * belong to the client, and turns off what only a client the adapter makes can honour.
 */
export function resolveWrapOptions(
  options: WrapRedisClientOptions,
  where: string,
): ResolvedRedisAdapterOptions {
  for (const k of WRAP_FORBIDDEN) {
    if (options !== null && typeof options === 'object' && k in options) {
      throw new TypeError(
        `${where}: option "${k}" belongs to the client you created; set it there`,
      );
    }
  }
  return resolveRedisAdapterOptions(
    { ...options, pingInterval: false, socketTimeout: false },
    where,
  );
}
