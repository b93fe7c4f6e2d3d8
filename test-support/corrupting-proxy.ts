/**
 * A TCP proxy in front of a real server that can replace exactly one server→client chunk with
 * bytes that are not RESP: the "one corrupted reply" fault (a bad NIC, a middlebox, a proxy bug).
 * Client→server bytes pass unchanged. Listens on a free loopback port.
 */
import net from 'node:net';
import { freePort } from './free-port.js';

/** What was corrupted. */
export interface CorruptionRecord {
  /** Index of the proxied connection (0-based, in accept order). */
  connection: number;
  /** Length of the replaced chunk in bytes (the garbage has the same length). */
  bytes: number;
  /** The original chunk, for the test's diagnostics. */
  original: Buffer;
  /** `performance.now()` when the garbage was written to the client. */
  at: number;
}

export interface CorruptingProxy {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Connections currently open. */
  readonly openConnections: number;
  /** Chunks replaced so far. */
  readonly corruptions: number;
  /**
   * Replaces the next server→client chunk for which `match` returns true (default: any) with
   * as many `X` bytes (not a RESP type byte); resolves once it is written, rejects after
   * `timeoutMs` (default 5000) if no chunk matched. One at a time.
   */
  corruptNextReply(
    match?: (chunk: Buffer) => boolean,
    timeoutMs?: number,
  ): Promise<CorruptionRecord>;
  /** Destroys every proxied connection and stops listening. Idempotent. */
  close(): Promise<void>;
}

interface Armed {
  match: (chunk: Buffer) => boolean;
  resolve(r: CorruptionRecord): void;
}

/** Starts a proxy to `target` (a loopback port, or host and port). */
export async function startCorruptingProxy(
  target: number | { host: string; port: number },
  options: { port?: number } = {},
): Promise<CorruptingProxy> {
  const to = typeof target === 'number' ? { host: '127.0.0.1', port: target } : target;
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  let corruptions = 0;
  let armed: Armed | undefined;
  let closed = false;

  const server = net.createServer((client) => {
    const index = accepted++;
    const upstream = net.connect(to);
    sockets.add(client);
    sockets.add(upstream);
    const drop = (): void => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      const a = armed;
      if (a !== undefined && a.match(chunk)) {
        armed = undefined;
        corruptions++;
        client.write(Buffer.alloc(chunk.length, 'X'));
        a.resolve({
          connection: index,
          bytes: chunk.length,
          original: chunk,
          at: performance.now(),
        });
        return;
      }
      if (!client.write(chunk)) {
        upstream.pause();
        client.once('drain', () => upstream.resume());
      }
    });
  });
  const port = options.port ?? (await freePort());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });

  return {
    host: '127.0.0.1',
    port,
    get connections() {
      return accepted;
    },
    get openConnections() {
      return [...sockets].length / 2;
    },
    get corruptions() {
      return corruptions;
    },
    corruptNextReply(match = () => true, timeoutMs = 5000) {
      if (armed !== undefined) return Promise.reject(new Error('a corruption is already armed'));
      return new Promise<CorruptionRecord>((resolve, reject) => {
        const timer = setTimeout(() => {
          armed = undefined;
          reject(new Error(`no server chunk matched within ${timeoutMs} ms`));
        }, timeoutMs);
        armed = {
          match,
          resolve: (r) => {
            clearTimeout(timer);
            resolve(r);
          },
        };
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const s of sockets) s.destroy();
      sockets.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
