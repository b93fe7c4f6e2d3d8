/**
 * Which Redis the drill uses: its own redis-server when one is on PATH, else REDIS_URL (faults
 * skipped: the drill never signals or reconfigures a server it did not start), else none.
 */
import { findRedisServer, freePort, spawnRedis } from './redis-process.js';
import type { RedisProcess } from './redis-process.js';

/** 'auto' (the order above), 'absent' (no Redis even if one is available), or a given URL. */
export type RedisChoice = 'auto' | 'absent' | { url: string };

export interface PickedRedis {
  mode: 'spawned' | 'external' | 'absent';
  url: string;
  /** The server the drill owns (and must stop), or null. */
  server: RedisProcess | null;
  /** What to tell the user (never contains the URL: it may hold a password). */
  message: string;
}

export async function pickRedis(
  choice: RedisChoice,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PickedRedis> {
  const bin = choice === 'auto' ? findRedisServer(env) : null;
  if (bin !== null) {
    const server = await spawnRedis(bin);
    return {
      mode: 'spawned',
      url: server.url,
      server,
      message: `redis-server ${bin} started on 127.0.0.1:${server.port} (pid ${server.pid})`,
    };
  }
  const url = typeof choice === 'object' ? choice.url : choice === 'auto' ? env.REDIS_URL : '';
  if (url) {
    return {
      mode: 'external',
      url,
      server: null,
      message:
        'using the given Redis (REDIS_URL); faults are skipped: the drill never signals or reconfigures a server it did not start',
    };
  }
  return {
    mode: 'absent',
    url: `redis://127.0.0.1:${await freePort()}`,
    server: null,
    message:
      'no redis-server on PATH and no REDIS_URL: running with Redis absent (every Redis call takes its fallback)',
  };
}
