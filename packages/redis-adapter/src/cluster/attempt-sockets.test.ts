import { createServer, connect, type Server, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttemptSockets } from './attempt-sockets.js';

/** The ref'ed TCP sockets keeping the event loop alive (unref'ed ones are not listed). */
const refedSockets = (): number =>
  process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
/** Until the server has accepted (and unref'ed) every connection dialled so far. */
async function settled(): Promise<void> {
  while (accepted < open.length) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setImmediate(r));
}
let accepted = 0;

let server: Server;
let port: number;
const open: Socket[] = [];
beforeAll(async () => {
  server = createServer((s) => {
    s.unref(); // only the client ends are counted
    s.on('error', () => undefined);
    accepted++;
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
  server.unref();
});
afterAll(() => {
  for (const s of open) s.destroy();
  server.close();
});

function dial(): Socket {
  const s = connect(port, '127.0.0.1');
  s.on('error', () => undefined);
  open.push(s);
  return s;
}

describe('AttemptSockets', () => {
  it('unrefs the sockets opened inside run(), also after an await; not the others', async () => {
    const before = refedSockets();
    const attempt = new AttemptSockets();
    await attempt.run(async () => {
      dial();
      await settled();
      dial();
    });
    dial(); // outside the attempt
    await settled();
    expect(refedSockets() - before).toBe(1);
    attempt.end(false);
    expect(refedSockets() - before).toBe(1);
  });

  it('end(true) refs them again; sockets opened from the attempt after its end stay ref-ed', async () => {
    const before = refedSockets();
    const attempt = new AttemptSockets();
    let later: (() => void) | undefined;
    attempt.run(() => {
      dial();
      later = () => void dial();
    });
    await settled();
    expect(refedSockets() - before).toBe(0);
    attempt.end(true);
    expect(refedSockets() - before).toBe(1);
    later!();
    await settled();
    expect(refedSockets() - before).toBe(2);
  });

  it('unrefs the timers armed inside run() (also after an await), refs them again on end(true)', async () => {
    const attempt = new AttemptSockets();
    const timers: NodeJS.Timeout[] = [];
    const arm = (): void => void timers.push(setTimeout(() => undefined, 60_000));
    let later: (() => void) | undefined;
    await attempt.run(async () => {
      arm();
      await Promise.resolve();
      arm();
      later = arm;
    });
    arm(); // outside the attempt
    const explicit = attempt.run(() => setTimeout(() => undefined, 60_000).ref()); // refs it itself
    timers.push(explicit);
    expect(timers.map((t) => t.hasRef())).toEqual([false, false, true, true]);
    attempt.end(true);
    expect(timers.map((t) => t.hasRef())).toEqual([true, true, true, true]);
    later!(); // after the end: the hook is off
    expect(timers[4]!.hasRef()).toBe(true);
    for (const t of timers) clearTimeout(t);
  });

  it('end(false) leaves the attempt timers unref-ed', () => {
    const attempt = new AttemptSockets();
    const timer = attempt.run(() => setInterval(() => undefined, 60_000));
    attempt.end(false);
    expect(timer.hasRef()).toBe(false);
    clearInterval(timer);
  });

  it('unrefs a TLS connection opened inside run() (no net.client.socket message), refs it on end(true)', async () => {
    const before = refedSockets();
    const attempt = new AttemptSockets();
    attempt.run(() => {
      // The server never answers the handshake: the socket stays open, as with a frozen server.
      const s = tlsConnect({ port, host: '127.0.0.1', servername: 'localhost' });
      s.on('error', () => undefined);
      open.push(s);
    });
    await settled();
    expect(refedSockets() - before).toBe(0);
    attempt.end(true);
    expect(refedSockets() - before).toBe(1);
    open.at(-1)!.destroy();
  });
});
