import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import {
  freePort,
  isPidAlive,
  rawPing,
  spawnedPids,
  startRedis,
  stopAllRedis,
} from './redis-server.js';
import { reservationFiles, reservedPorts } from './free-port.js';
import { runNodeScript } from './node-script.js';
import { createTestCa, removeTestCa } from './tls.js';

const everSpawned = new Set<number>();

afterAll(async () => {
  await stopAllRedis();
  expect(spawnedPids()).toEqual([]);
  for (const pid of everSpawned) expect(isPidAlive(pid)).toBe(false);
});

describe('startRedis', () => {
  it('starts, answers PING, stops and frees the port', async () => {
    const s = await startRedis();
    everSpawned.add(s.pid);
    expect(s.url).toBe(`redis://127.0.0.1:${s.port}`);
    expect(s.port).not.toBe(6379);
    expect(s.running).toBe(true);
    expect(await s.cli('PING')).toBe('PONG');
    expect(await s.cli('DEBUG', 'SLEEP', '0')).toBe('OK');
    await s.stop();
    expect(s.running).toBe(false);
    expect(isPidAlive(s.pid)).toBe(false);
    await s.stop(); // idempotent
    await expect(rawPing(s.port)).rejects.toThrow();
  });

  it('kill + restart keeps the port and changes the pid', async () => {
    const s = await startRedis();
    const { port, pid } = s;
    everSpawned.add(pid);
    await s.cli('SET', 'k', 'v');
    await s.kill();
    expect(isPidAlive(pid)).toBe(false);
    await expect(s.cli('PING')).rejects.toThrow();
    await s.restart();
    everSpawned.add(s.pid);
    expect(s.port).toBe(port);
    expect(s.pid).not.toBe(pid);
    expect(await s.cli('PING')).toBe('PONG');
    expect(await s.cli('GET', 'k')).toBe(''); // no persistence
    await s.stop();
  });

  it('pause makes PING time out; resume answers again', async () => {
    const s = await startRedis();
    everSpawned.add(s.pid);
    s.pause();
    await expect(rawPing(s.port, { timeoutMs: 300 })).rejects.toThrow(/timed out/);
    await expect(s.cliWith({ timeoutMs: 500 }, 'PING')).rejects.toThrow();
    s.resume();
    expect(await rawPing(s.port, { timeoutMs: 5000 })).toBe('+PONG');
    // stop works on a paused server too
    s.pause();
    await s.stop();
    expect(isPidAlive(s.pid)).toBe(false);
  });

  it('password server rejects unauthenticated clients and hides the password', async () => {
    const password = 's3cret-pw';
    const s = await startRedis({ password });
    everSpawned.add(s.pid);
    expect(s.url).not.toContain(password);
    const err = await s.cliWith({ auth: false }, 'PING').catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/NOAUTH/);
    expect(await rawPing(s.port)).toMatch(/^-NOAUTH/);
    expect(await s.cli('PING')).toBe('PONG');
    const bad = await s.cli('NOSUCHCMD').catch((e: unknown) => e as Error);
    expect((bad as Error).message).toMatch(/ERR/);
    expect((bad as Error).message).not.toContain(password);
    expect(s.logTail()).not.toContain(password);
    await s.stop();
  });

  it('passes extra args (rename-command)', async () => {
    const s = await startRedis({ args: ['--rename-command', 'HELLO', '""'] });
    everSpawned.add(s.pid);
    await expect(s.cli('HELLO', '3')).rejects.toThrow(/unknown command/);
    await s.stop();
  });

  it('a fixed port that is briefly busy is retried until free', async () => {
    const holder = net.createServer();
    const port = await freePort();
    await new Promise<void>((r) => holder.listen(port, '127.0.0.1', r));
    try {
      // 10 s retry window for "busy": keep it short by releasing after the first failure
      const p = startRedis({ port });
      setTimeout(() => holder.close(), 500);
      const s = await p; // retries until the port frees up
      everSpawned.add(s.pid);
      expect(s.port).toBe(port);
      await s.stop();
    } finally {
      holder.close();
    }
  });

  it('a server that cannot start rejects with its log tail and leaves no process', async () => {
    const before = spawnedPids().length;
    await expect(startRedis({ args: ['--no-such-option', 'x'] })).rejects.toThrow(
      /did not become ready \(exited\)[\s\S]*no-such-option/i,
    );
    expect(spawnedPids().length).toBe(before);
  });

  it('rejects unknown options and port 6379 without starting anything', async () => {
    const before = spawnedPids().length;
    await expect(startRedis({ prot: 1 } as never)).rejects.toThrow(/unknown option\(s\) prot/);
    await expect(startRedis({ port: 6379 })).rejects.toThrow(RangeError);
    expect(spawnedPids().length).toBe(before);
  });

  it('freePort returns distinct ports usable by a cluster bus, below the ephemeral range', async () => {
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    expect(new Set(ports).size).toBe(3);
    const low = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0],
    );
    for (const p of ports) {
      expect(p).toBeGreaterThanOrEqual(10000);
      expect(p + 10000).toBeLessThan(low);
      expect(reservedPorts()).toEqual(expect.arrayContaining([p, p + 10000]));
    }
  });

  it('freePort never hands the same port, or a port that is another one’s bus port, to two processes', async () => {
    // Two child processes and this one take 60 ports each at the same time (CI runs two suites
    // side by side, and every vitest worker is a process of its own). A process that exits gives
    // its ports back, so each child holds its ports until all three have taken theirs: it writes
    // a "done" file and waits for the other two before it prints and exits.
    const barrier = mkdtempSync(path.join(os.tmpdir(), 'bw-port-barrier-'));
    const script = `
      import { readdirSync, writeFileSync } from 'node:fs';
      import { freePort } from ${JSON.stringify(new URL('./free-port.ts', import.meta.url).pathname)};
      const dir = ${JSON.stringify(barrier)};
      const ports = [];
      for (let i = 0; i < 60; i++) ports.push(await freePort());
      writeFileSync(dir + '/' + process.pid, '');
      const deadline = Date.now() + 30_000;
      while (readdirSync(dir).length < 3 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
      console.log(JSON.stringify({ ports, all: readdirSync(dir).length }));
    `;
    const children = [runNodeScript(script), runNodeScript(script)];
    const here: number[] = [];
    let results: Awaited<(typeof children)[number]>[];
    try {
      for (let i = 0; i < 60; i++) here.push(await freePort());
      writeFileSync(path.join(barrier, String(process.pid)), '');
      results = await Promise.all(children);
    } finally {
      rmSync(barrier, { recursive: true, force: true });
    }
    const lists = results.map((r) => JSON.parse(r.stdout) as { ports: number[]; all: number });
    // Every child saw all three done files: the reservations were held at the same time.
    for (const l of lists) expect(l.all).toBe(3);
    const taken = new Set<number>();
    for (const list of [here, ...lists.map((l) => l.ports)]) {
      expect(list).toHaveLength(60);
      for (const p of list) {
        expect(taken.has(p)).toBe(false);
        expect(taken.has(p + 10000)).toBe(false);
        taken.add(p).add(p + 10000);
      }
    }
    // The children's reservations are gone once they exited; ours are still held.
    const files = new Set(reservationFiles().map(Number));
    for (const l of lists) for (const p of l.ports) expect(files.has(p)).toBe(false);
    for (const p of here) expect(files.has(p)).toBe(true);
  });
});

describe('TLS', () => {
  it('serves TLS only; redis-cli --cacert and tls.connect with the CA verify', async () => {
    const files = await createTestCa();
    try {
      const s = await startRedis({ tls: files, password: 'tlspw' });
      everSpawned.add(s.pid);
      expect(s.url).toBe(`rediss://127.0.0.1:${s.port}`);
      expect(await s.cli('PING')).toBe('PONG');
      const authorized = await new Promise<boolean>((resolve, reject) => {
        const sock = tls.connect({ host: '127.0.0.1', port: s.port, ca: files.ca }, () => {
          resolve(sock.authorized);
          sock.destroy();
        });
        sock.once('error', reject);
      });
      expect(authorized).toBe(true);
      await expect(
        new Promise((resolve, reject) => {
          const sock = tls.connect({ host: '127.0.0.1', port: s.port, ca: files.otherCa }, () => {
            sock.destroy();
            resolve('connected');
          });
          sock.once('error', reject);
        }),
      ).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
      // plain TCP gets no PONG
      await expect(rawPing(s.port, { timeoutMs: 500 })).rejects.toThrow();
      await s.stop();
    } finally {
      removeTestCa(files);
    }
  });
});
