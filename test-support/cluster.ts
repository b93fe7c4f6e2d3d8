/** Starts a real Redis Cluster (default 3 masters + 3 replicas) on free loopback ports. */
import { freePort, runCli, startRedis } from './redis-server.js';
import type { RedisServer, TlsFiles } from './redis-server.js';

export interface StartClusterOptions {
  /** Number of masters (≥ 3, redis-cli refuses fewer). @default 3 */
  masters?: number;
  /** Replicas per master. @default 1 */
  replicasPerMaster?: number;
  /** `cluster-node-timeout` in ms. @default 1000 */
  nodeTimeoutMs?: number;
  /**
   * Serve TLS only, with these files: clients, the cluster bus and replication all use TLS
   * (`tls-cluster`, `tls-replication`), and the nodes announce their TLS ports. @default plain TCP
   */
  tls?: TlsFiles;
}

export interface ClusterNodeInfo {
  id: string;
  port: number;
  flags: string[];
  masterId: string | null;
  /** Inclusive slot ranges served (masters only). */
  slots: [number, number][];
}

export interface RedisClusterHandle {
  nodes: RedisServer[];
  masters(): Promise<RedisServer[]>;
  replicas(): Promise<RedisServer[]>;
  rootNodes: { url: string }[];
  masterForKey(key: string): Promise<RedisServer>;
  replicaOf(master: RedisServer): Promise<RedisServer>;
  /** Resolves the node that now serves the slots `oldMaster` served, once the cluster is ok. */
  waitForFailover(oldMaster: RedisServer, timeoutMs?: number): Promise<RedisServer>;
  /** Parsed `CLUSTER NODES` as seen by a reachable node. */
  topology(): Promise<ClusterNodeInfo[]>;
  stop(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function parseClusterNodes(text: string): ClusterNodeInfo[] {
  const out: ClusterNodeInfo[] = [];
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/);
    if (parts.length < 8) continue;
    const [id, addr, flags, master] = parts;
    const port = Number(/:(\d+)/.exec(addr)?.[1] ?? NaN);
    const slots: [number, number][] = [];
    for (const s of parts.slice(8)) {
      if (s.startsWith('[')) continue; // importing/migrating markers
      const [a, b] = s.split('-').map(Number);
      slots.push([a, b ?? a]);
    }
    out.push({
      id,
      port,
      flags: flags.split(','),
      masterId: master === '-' ? null : master,
      slots,
    });
  }
  return out;
}

const isUp = (n: ClusterNodeInfo): boolean =>
  !n.flags.includes('fail') && !n.flags.includes('fail?') && !n.flags.includes('handshake');

async function waitUntil<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await sleep(100);
  }
  throw new Error(`${what} not reached within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}

export async function startCluster(options: StartClusterOptions = {}): Promise<RedisClusterHandle> {
  const masterCount = options.masters ?? 3;
  const perMaster = options.replicasPerMaster ?? 1;
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 1000;
  if (!Number.isInteger(masterCount) || masterCount < 3) {
    throw new RangeError(`startCluster: masters must be an integer ≥ 3, got ${masterCount}`);
  }
  if (!Number.isInteger(perMaster) || perMaster < 0) {
    throw new RangeError(
      `startCluster: replicasPerMaster must be an integer ≥ 0, got ${perMaster}`,
    );
  }
  const total = masterCount * (1 + perMaster);
  const ports: number[] = [];
  for (let i = 0; i < total; i++) ports.push(await freePort());
  const args = [
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    'nodes.conf',
    '--cluster-node-timeout',
    String(nodeTimeoutMs),
    // always let a replica take over, however stale (tests kill masters at will)
    '--cluster-replica-validity-factor',
    '0',
    '--appendonly',
    'no',
    ...(options.tls ? ['--tls-cluster', 'yes', '--tls-replication', 'yes'] : []),
  ];
  const tls = options.tls;
  const nodes: RedisServer[] = [];
  try {
    const started = await Promise.allSettled(
      ports.map((port) => startRedis({ port, args, ...(tls ? { tls } : {}) })),
    );
    for (const r of started) if (r.status === 'fulfilled') nodes.push(r.value);
    const failed = started.find((r) => r.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    await runCli(
      [
        '--cluster',
        'create',
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        '--cluster-replicas',
        String(perMaster),
        '--cluster-yes',
        ...(tls ? ['--tls', '--cacert', tls.caCertFile] : []),
      ],
      60_000,
    );
  } catch (e) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw e;
  }

  const byPort = new Map(nodes.map((n) => [n.port, n]));
  const lastSlots = new Map<string, [number, number][]>();
  const idOfPort = new Map<number, string>();

  async function topologyVia(node: RedisServer): Promise<ClusterNodeInfo[]> {
    const info = parseClusterNodes(await node.cliWith({ timeoutMs: 2000 }, 'CLUSTER', 'NODES'));
    for (const n of info) {
      idOfPort.set(n.port, n.id);
      if (n.flags.includes('master') && n.slots.length > 0 && isUp(n)) lastSlots.set(n.id, n.slots);
    }
    return info;
  }

  async function topology(exclude?: RedisServer): Promise<ClusterNodeInfo[]> {
    let last: unknown = new Error('no running cluster node');
    for (const n of nodes) {
      if (!n.running || n === exclude) continue;
      try {
        return await topologyVia(n);
      } catch (e) {
        last = e;
      }
    }
    throw last;
  }

  const serverOf = (info: ClusterNodeInfo): RedisServer => {
    const s = byPort.get(info.port);
    if (!s) throw new Error(`cluster node on unknown port ${info.port}`);
    return s;
  };

  // Ready: every node says ok, sees all slots covered and every node up; replicas synced.
  try {
    await waitUntil('cluster ready', 30_000, async () => {
      for (const n of nodes) {
        const info = await n.cliWith({ timeoutMs: 2000 }, 'CLUSTER', 'INFO');
        if (!/cluster_state:ok/.test(info) || !/cluster_slots_ok:16384/.test(info))
          return undefined;
        const topo = await topologyVia(n);
        if (topo.length !== total || !topo.every(isUp)) return undefined;
        if (topo.filter((t) => t.flags.includes('master')).length !== masterCount) return undefined;
        if (topo.find((t) => t.flags.includes('myself'))?.flags.includes('slave')) {
          const repl = await n.cliWith({ timeoutMs: 2000 }, 'INFO', 'replication');
          if (!/master_link_status:up/.test(repl)) return undefined;
        }
      }
      return true;
    });
  } catch (e) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw e;
  }

  const handle: RedisClusterHandle = {
    nodes,
    rootNodes: nodes.map((n) => ({ url: n.url })),
    topology: () => topology(),
    async masters() {
      const topo = await topology();
      return topo.filter((t) => t.flags.includes('master') && isUp(t)).map(serverOf);
    },
    async replicas() {
      const topo = await topology();
      return topo.filter((t) => t.flags.includes('slave') && isUp(t)).map(serverOf);
    },
    async masterForKey(key: string) {
      const via = nodes.find((n) => n.running);
      if (!via) throw new Error('no running cluster node');
      const slot = Number(await via.cliWith({ timeoutMs: 2000 }, 'CLUSTER', 'KEYSLOT', key));
      const topo = await topology();
      const owner = topo.find(
        (t) =>
          t.flags.includes('master') && isUp(t) && t.slots.some(([a, b]) => slot >= a && slot <= b),
      );
      if (!owner) throw new Error(`no up master serves slot ${slot}`);
      return serverOf(owner);
    },
    async replicaOf(master: RedisServer) {
      const topo = await topology();
      const id = topo.find((t) => t.port === master.port)?.id;
      const rep = topo.find((t) => t.masterId === id && t.flags.includes('slave') && isUp(t));
      if (!id || !rep) throw new Error(`no up replica of the master on port ${master.port}`);
      return serverOf(rep);
    },
    async waitForFailover(oldMaster: RedisServer, timeoutMs = 20_000) {
      const oldId = idOfPort.get(oldMaster.port);
      const slots = oldId ? lastSlots.get(oldId) : undefined;
      if (!oldId || !slots || slots.length === 0) {
        throw new Error(`port ${oldMaster.port} was not a known master with slots`);
      }
      const slot = slots[0][0];
      return waitUntil(`failover of master on port ${oldMaster.port}`, timeoutMs, async () => {
        const topo = await topology(oldMaster);
        const owner = topo.find(
          (t) =>
            t.id !== oldId &&
            t.flags.includes('master') &&
            isUp(t) &&
            t.slots.some(([a, b]) => slot >= a && slot <= b),
        );
        if (!owner) return undefined;
        const server = serverOf(owner);
        const info = await server.cliWith({ timeoutMs: 2000 }, 'CLUSTER', 'INFO');
        return /cluster_state:ok/.test(info) ? server : undefined;
      });
    },
    async stop() {
      await Promise.all(nodes.map((n) => n.stop()));
    },
  };
  return handle;
}
