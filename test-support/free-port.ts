/** Free loopback ports for test servers. */
import net from 'node:net';

const handedOut = new Set<number>();

/** Listens on `port` (0: any) on 127.0.0.1 and closes again; the port, or 0 if it is taken. */
function probe(port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', (e: NodeJS.ErrnoException) =>
      port !== 0 && (e.code === 'EADDRINUSE' || e.code === 'EACCES') ? resolve(0) : reject(e),
    );
    srv.listen(port, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/**
 * A free loopback port: not 6379, ≥ 10000, and with `port + 10000 ≤ 65535` so it can be a
 * cluster node — that bus port is checked free too (a client socket left in TIME_WAIT on it,
 * e.g. by an earlier redis-cli, would make a cluster node abort with "Address already in use"
 * for up to 60 s). Not handed out twice by this process.
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = await probe(0);
    if (port < 10000 || port + 10000 > 65535 || port === 6379 || handedOut.has(port)) continue;
    if ((await probe(port + 10000)) === 0) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('freePort: no suitable port found after 200 attempts');
}

/** Lets {@link freePort} hand `port` out again (after it turned out to be taken). */
export function releasePort(port: number): void {
  handedOut.delete(port);
}
