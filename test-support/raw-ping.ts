/** An inline PING over a raw TCP or TLS socket (usable while redis-cli would hang). */
import net from 'node:net';
import tls from 'node:tls';
import type { TlsFiles } from './tls.js';

/**
 * Sends an inline PING over a raw (TLS) socket; resolves the first reply line, rejects on
 * connect error or timeout. `-NOAUTH` means the server is up but wants a password.
 */
export function rawPing(
  port: number,
  opts: { tls?: TlsFiles; timeoutMs?: number } = {},
): Promise<string> {
  const timeoutMs = opts.timeoutMs ?? 1000;
  return new Promise((resolve, reject) => {
    const socket: net.Socket = opts.tls
      ? tls.connect({ host: '127.0.0.1', port, ca: opts.tls.ca, servername: 'localhost' })
      : net.connect({ host: '127.0.0.1', port });
    let buf = '';
    const timer = setTimeout(
      () => done(new Error(`PING to ${port} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    function done(err: Error | null, line?: string): void {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(line ?? '');
    }
    socket.once(opts.tls ? 'secureConnect' : 'connect', () => socket.write('PING\r\n'));
    socket.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      const i = buf.indexOf('\r\n');
      if (i >= 0) done(null, buf.slice(0, i));
    });
    socket.once('error', (e) => done(e));
    socket.once('close', () => done(new Error(`connection to ${port} closed before a reply`)));
  });
}
