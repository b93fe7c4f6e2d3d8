/**
 * The Fastify 5 plugin: puts a breakwater Redis adapter on the instance (`fastify.breakwater`),
 * closes it when Fastify closes, and optionally serves a readiness route where a Redis outage is
 * degraded (`warn`, HTTP 200 with details) rather than down.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { createRedisAdapter, redisHealthResponse } from '@breakwater/redis-adapter';
import type { HealthSource, RedisAdapterOptions } from '@breakwater/redis-adapter';
import type { RecipeAdapter } from '@breakwater/recipes';

/** An adapter the plugin can hold: any breakwater adapter (single, Cluster, Sentinel). */
export type BreakwaterFastifyAdapter = RecipeAdapter &
  HealthSource & { close(): Promise<void>; connect(): Promise<void> };

/** Options of {@link breakwaterFastify}. Give `adapter` or `redis`, not both. */
export interface BreakwaterFastifyOptions {
  /** An adapter you created (any topology). @default created from `redis` */
  adapter?: BreakwaterFastifyAdapter;
  /**
   * Options of `createRedisAdapter`: the plugin creates the adapter and awaits `connect()` (which
   * resolves after `connectTimeout` even with Redis down, unless `requireConnection`).
   * @default {} when `adapter` is not given (redis://localhost:6379, or REDIS_URL as the adapter reads it)
   */
  redis?: RedisAdapterOptions;
  /**
   * Close the adapter in Fastify's `onClose` hook.
   * @default true
   */
  closeOnClose?: boolean;
  /**
   * Path of a readiness route (GET) answering `application/health+json`; `false` for none.
   * @default false
   */
  healthPath?: string | false;
  /**
   * Redis down makes the health route `fail` with HTTP 503 (only for a service that cannot
   * answer anything without Redis). Otherwise it is `warn` with HTTP 200.
   * @default false
   */
  critical?: boolean;
}

/** Defaults of {@link BreakwaterFastifyOptions}. */
export const DEFAULT_FASTIFY_OPTIONS = {
  closeOnClose: true,
  healthPath: false,
  critical: false,
} as const;

declare module 'fastify' {
  interface FastifyInstance {
    /** The breakwater Redis adapter registered by `@breakwater/fastify`. */
    breakwater: BreakwaterFastifyAdapter;
  }
}

const WHERE = '@breakwater/fastify';
const KEYS = new Set(['adapter', 'redis', 'closeOnClose', 'healthPath', 'critical']);

interface Resolved {
  closeOnClose: boolean;
  healthPath: string | false;
  critical: boolean;
}

/** Validates the options once, naming the bad option and value. */
export function resolveFastifyOptions(options: BreakwaterFastifyOptions): Resolved {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`${WHERE}: options must be an object`);
  }
  for (const key of Object.keys(options)) {
    if (!KEYS.has(key)) throw new TypeError(`${WHERE}: unknown option ${JSON.stringify(key)}`);
  }
  if (options.adapter !== undefined && options.redis !== undefined) {
    throw new TypeError(`${WHERE}: give adapter or redis, not both`);
  }
  const a = options.adapter as Partial<BreakwaterFastifyAdapter> | undefined;
  if (
    a !== undefined &&
    (typeof a.executeRedisOperation !== 'function' ||
      typeof a.close !== 'function' ||
      typeof a.health !== 'function')
  ) {
    throw new TypeError(`${WHERE}: adapter must be a breakwater Redis adapter`);
  }
  const d = DEFAULT_FASTIFY_OPTIONS;
  const bool = (name: 'closeOnClose' | 'critical', v: unknown, dflt: boolean): boolean => {
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean') {
      throw new TypeError(`${WHERE}: ${name} must be a boolean, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  const path = options.healthPath ?? d.healthPath;
  if (path !== false && (typeof path !== 'string' || !path.startsWith('/'))) {
    throw new TypeError(
      `${WHERE}: healthPath must be false or a path starting with '/', got ${JSON.stringify(path)}`,
    );
  }
  return {
    closeOnClose: bool('closeOnClose', options.closeOnClose, d.closeOnClose),
    healthPath: path,
    critical: bool('critical', options.critical, d.critical),
  };
}

const plugin: FastifyPluginAsync<BreakwaterFastifyOptions> = async (
  fastify: FastifyInstance,
  options: BreakwaterFastifyOptions,
) => {
  const o = resolveFastifyOptions(options);
  let adapter = options.adapter;
  if (adapter === undefined) {
    const created = createRedisAdapter(options.redis ?? {});
    await created.connect();
    adapter = created as unknown as BreakwaterFastifyAdapter;
  }
  const held = adapter;
  // The union of adapter kinds trips Fastify's GetterSetter inference; the value is the adapter.
  fastify.decorate('breakwater', held as never);
  if (o.closeOnClose) fastify.addHook('onClose', () => held.close());
  if (o.healthPath !== false) {
    fastify.get(o.healthPath, async (_request, reply) => {
      const r = redisHealthResponse({ source: held, critical: o.critical });
      return reply.code(r.statusCode).headers(r.headers).send(r.body);
    });
  }
};

/**
 * `fastify.register(breakwaterFastify, { redis: { url } })`: one adapter for the whole
 * instance (not encapsulated), on `fastify.breakwater`.
 */
export const breakwaterFastify = fp(plugin, { fastify: '5.x', name: '@breakwater/fastify' });
