/**
 * Asks the sentinels which master they name now (`SENTINEL GET-MASTER-ADDR-BY-NAME`), each over
 * a short-lived connection of its own with a deadline, so the question never waits behind
 * node-redis' rediscovery (which may be stuck on the unreachable master) nor leaves a socket
 * behind. The answer named by the most sentinels wins (ties: the first in seed order).
 */
import type { Clock } from '@breakwater/breaker';
import { RedisClient } from 'redis';
import type { RedisNodeAddress } from './seed-address.js';

/** Returns a function asking `sentinels` for the master of `masterName` (`host:port`). */
export function createSentinelMasterQuery(
  sentinels: readonly RedisNodeAddress[],
  masterName: string,
  /** Client options of sentinel connections (credentials, TLS), without address. */
  clientOptions: Record<string, unknown>,
  timeoutMs: number,
  clock: Clock,
): () => Promise<string | undefined> {
  return async () => {
    const answers = await Promise.all(
      sentinels.map((n) => askOne(n, masterName, clientOptions, timeoutMs, clock)),
    );
    let best: string | undefined;
    let bestCount = 0;
    const counts = new Map<string, number>();
    for (const a of answers) {
      if (a === undefined) continue;
      const c = (counts.get(a) ?? 0) + 1;
      counts.set(a, c);
      if (c > bestCount) {
        best = a;
        bestCount = c;
      }
    }
    return best;
  };
}

/**
 * One client class for every question, built once: `createClient` from 'redis' builds a class
 * with every command and module on each call (measured ~16 ms each, CPU the probe rounds of a
 * failover cannot spare); SENDCOMMAND needs none of them.
 */
let factory: ReturnType<typeof RedisClient.factory> | undefined;

async function askOne(
  node: RedisNodeAddress,
  masterName: string,
  clientOptions: Record<string, unknown>,
  timeoutMs: number,
  clock: Clock,
): Promise<string | undefined> {
  const socket = (clientOptions.socket ?? {}) as Record<string, unknown>;
  factory ??= RedisClient.factory({});
  const client = factory({
    ...clientOptions,
    pingInterval: undefined,
    socket: {
      ...socket,
      host: node.host,
      port: node.port,
      connectTimeout: timeoutMs,
      reconnectStrategy: false,
    },
  } as Parameters<typeof factory>[0]);
  client.on('error', () => undefined);
  let timer: unknown;
  const deadline = new Promise<undefined>((resolve) => {
    timer = clock.setTimeout(() => resolve(undefined), timeoutMs);
  });
  const ask = (async (): Promise<string | undefined> => {
    await client.connect();
    const reply = await client.sendCommand(['SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName]);
    if (!Array.isArray(reply) || reply.length !== 2) return undefined;
    return `${String(reply[0])}:${String(reply[1])}`;
  })();
  try {
    // Promise.race observes `ask` too: its rejection after destroy() below is handled.
    return await Promise.race([ask, deadline]);
  } catch {
    return undefined;
  } finally {
    clock.clearTimeout(timer);
    try {
      client.destroy();
    } catch {
      // never connected
    }
  }
}
