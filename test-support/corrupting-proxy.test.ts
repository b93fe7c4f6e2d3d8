import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startCorruptingProxy } from './corrupting-proxy.js';
import { startRedis, stopAllRedis } from './redis-server.js';

afterAll(stopAllRedis);

/** Sends `lines` one at a time over one raw connection; the first chunk received after each. */
function exchange(port: number, lines: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const out: string[] = [];
    const timer = setTimeout(() => fail(new Error(`no reply after ${out.length}`)), 2000);
    const fail = (e: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(e);
    };
    socket.on('error', fail);
    socket.once('connect', () => socket.write(`${lines[0]}\r\n`));
    socket.on('data', (b: Buffer) => {
      out.push(b.toString());
      if (out.length < lines.length) {
        socket.write(`${lines[out.length]}\r\n`);
        return;
      }
      clearTimeout(timer);
      socket.destroy();
      resolve(out);
    });
  });
}

describe('startCorruptingProxy', () => {
  it('passes traffic through and replaces exactly one matching reply chunk', async () => {
    const server = await startRedis();
    const proxy = await startCorruptingProxy(server.port);
    try {
      expect(await exchange(proxy.port, ['PING'])).toEqual(['+PONG\r\n']);
      const hit = proxy.corruptNextReply((chunk) => chunk.includes('hello'));
      const replies = await exchange(proxy.port, ['PING', 'ECHO hello', 'ECHO hello']);
      const record = await hit;
      expect(replies).toEqual([
        '+PONG\r\n',
        'X'.repeat('$5\r\nhello\r\n'.length),
        '$5\r\nhello\r\n',
      ]);
      expect(record.bytes).toBe(11);
      expect(record.original.toString()).toBe('$5\r\nhello\r\n');
      expect(proxy.corruptions).toBe(1);
      expect(proxy.connections).toBe(2);
    } finally {
      await proxy.close();
    }
    await expect(exchange(proxy.port, ['PING'])).rejects.toThrow();
  });

  it('rejects when nothing matches in time', async () => {
    const server = await startRedis();
    const proxy = await startCorruptingProxy(server.port);
    await expect(proxy.corruptNextReply(() => true, 50)).rejects.toThrow(/no server chunk/);
    await proxy.close();
  });
});
