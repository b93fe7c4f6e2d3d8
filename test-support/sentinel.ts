/** Starts 1 master, 1 replica and 3 sentinels (quorum 2) on free loopback ports. */
import { freePort, startRedis } from './redis-server.js';
import type { RedisServer } from './redis-server.js';

export interface StartSentinelSetOptions {
  /** Monitored master name. @default 'mymaster' */
  name?: string;
}

export interface SentinelSetHandle {
  masterName: string;
  master: RedisServer;
  replica: RedisServer;
  sentinels: RedisServer[];
  sentinelRootNodes: { host: string; port: number }[];
  /** The master address according to the first sentinel that answers. */
  currentMaster(): Promise<{ host: string; port: number }>;
  /**
   * Resolves the new master address once a majority of the running sentinels report a master
   * other than the last known one (initially `master`, then the previous failover's result)
   * and that node answers `ROLE` as master. @default timeoutMs 30 000
   */
  waitForFailover(timeoutMs?: number): Promise<{ host: string; port: number }>;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function parseFlat(text: string): Map<string, string> {
  const lines = text.split('\n');
  const m = new Map<string, string>();
  for (let i = 0; i + 1 < lines.length; i += 2) m.set(lines[i], lines[i + 1]);
  return m;
}

async function waitUntil(
  what: string,
  timeoutMs: number,
  probe: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await probe()) return;
    } catch (e) {
      last = e;
    }
    await sleep(100);
  }
  throw new Error(`${what} not reached within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}

export async function startSentinelSet(
  options: StartSentinelSetOptions = {},
): Promise<SentinelSetHandle> {
  const name = options.name ?? 'mymaster';
  if (!/^[A-Za-z0-9._-]+$/.test(name)) {
    throw new RangeError(
      `startSentinelSet: name must match [A-Za-z0-9._-]+, got ${JSON.stringify(name)}`,
    );
  }
  const started: RedisServer[] = [];
  try {
    const master = await startRedis();
    started.push(master);
    const replica = await startRedis({ args: ['--replicaof', '127.0.0.1', String(master.port)] });
    started.push(replica);
    await waitUntil('replica link up', 15_000, async () =>
      /master_link_status:up/.test(await replica.cli('INFO', 'replication')),
    );
    const conf = [
      `sentinel monitor ${name} 127.0.0.1 ${master.port} 2`,
      `sentinel down-after-milliseconds ${name} 1000`,
      `sentinel failover-timeout ${name} 5000`,
      `sentinel parallel-syncs ${name} 1`,
      '',
    ].join('\n');
    const ports = [await freePort(), await freePort(), await freePort()];
    const sentinels = await Promise.all(
      ports.map((port) => startRedis({ port, sentinel: true, configFile: conf })),
    );
    started.push(...sentinels);

    // Every sentinel sees the master, the replica and the two other sentinels.
    await waitUntil('sentinels converged', 30_000, async () => {
      for (const s of sentinels) {
        const m = parseFlat(await s.cliWith({ timeoutMs: 2000 }, 'SENTINEL', 'MASTER', name));
        if (m.get('port') !== String(master.port) || /down/.test(m.get('flags') ?? 'down'))
          return false;
        if (m.get('num-slaves') !== '1' || m.get('num-other-sentinels') !== '2') return false;
      }
      return true;
    });

    const addressVia = async (s: RedisServer): Promise<{ host: string; port: number }> => {
      const out = await s.cliWith({ timeoutMs: 2000 }, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name);
      const [host, port] = out.split('\n');
      if (!host || !port) throw new Error(`sentinel on ${s.port} does not know ${name}`);
      return { host, port: Number(port) };
    };

    const currentMaster = async (): Promise<{ host: string; port: number }> => {
      let last: unknown = new Error('no running sentinel');
      for (const s of sentinels) {
        if (!s.running) continue;
        try {
          return await addressVia(s);
        } catch (e) {
          last = e;
        }
      }
      throw last;
    };

    let knownMasterPort = master.port;
    return {
      masterName: name,
      master,
      replica,
      sentinels,
      sentinelRootNodes: sentinels.map((s) => ({ host: '127.0.0.1', port: s.port })),
      currentMaster,
      async waitForFailover(timeoutMs = 30_000) {
        const from = knownMasterPort;
        let result: { host: string; port: number } | undefined;
        await waitUntil(`sentinel failover of ${name} from port ${from}`, timeoutMs, async () => {
          const running = sentinels.filter((s) => s.running);
          const seen = await Promise.all(running.map((s) => addressVia(s).catch(() => undefined)));
          const moved = seen.filter((a) => a !== undefined && a.port !== from);
          if (moved.length * 2 <= running.length) return false;
          const candidate = moved[0]!;
          // the promoted node must actually be a master now
          const node = [master, replica].find((n) => n.port === candidate.port);
          if (node) {
            const role = await node.cliWith({ timeoutMs: 2000 }, 'ROLE');
            if (!role.startsWith('master')) return false;
          }
          result = candidate;
          return true;
        });
        knownMasterPort = result!.port;
        return result!;
      },
      async stop() {
        await Promise.all(started.map((s) => s.stop()));
      },
    };
  } catch (e) {
    await Promise.all(started.map((s) => s.stop()));
    throw e;
  }
}
