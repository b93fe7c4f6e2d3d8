/**
 * The Fastify 5 plugin: puts a breakwater Redis adapter on the instance (`fastify.breakwater`),
 * closes it when Fastify closes, and optionally serves a readiness route where a Redis outage is
 * degraded (`warn`, HTTP 200 with details) rather than down.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { redisHealthResponse } from '@breakwater/redis-adapter';
import { managedAdapterFrom } from '@breakwater/recipes';
import type { AdapterOrRedisOptions, ManagedRedisAdapter } from '@breakwater/recipes';

/** An adapter the plugin can hold: any breakwater adapter (`ManagedRedisAdapter` of the recipes). */
export type BreakwaterFastifyAdapter = ManagedRedisAdapter;

/** Options of {@link breakwaterFastify}. Give `adapter` or `redis`, not both. */
export interface BreakwaterFastifyOptions extends AdapterOrRedisOptions {
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
  /** The adapter given, or one created from `redis` and connected. */
  open: () => Promise<BreakwaterFastifyAdapter>;
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
  const open = managedAdapterFrom(WHERE, options);
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
    open,
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
  const held = await o.open();
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
