/** Free loopback ports for test servers. */
import net from 'node:net';

const handedOut = new Set<number>();

/**
 * A free loopback port: not 6379, ≥ 10000, and with `port + 10000 ≤ 65535` so it can be a
 * cluster node. Not handed out twice by this process.
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const addr = srv.address();
        srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
      });
    });
    if (port >= 10000 && port + 10000 <= 65535 && port !== 6379 && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('freePort: no suitable port found after 200 attempts');
}

/** Lets {@link freePort} hand `port` out again (after it turned out to be taken). */
export function releasePort(port: number): void {
  handedOut.delete(port);
}
