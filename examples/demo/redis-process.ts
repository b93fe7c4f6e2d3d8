/**
 * A small redis-server spawner for the drill and the bench: a free loopback port (never
 * 6379), real signals for the faults, raw RESP for the few commands the drill sends. Only
 * processes spawned here are ever signalled; a process 'exit' hook SIGKILLs any left alive.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** A redis-server process owned by this process. */
export interface RedisProcess {
  readonly port: number;
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  /** Current pid (changes on restart); -1 when not running. */
  readonly pid: number;
  readonly running: boolean;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
  /** SIGSTOP: the kernel still accepts connections, nothing answers. */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  /** Starts again on the same port and waits for PING. */
  restart(): Promise<void>;
  /** SIGTERM (SIGKILL after 2 s), removes the data dir; idempotent. */
  stop(): Promise<void>;
  /** Sends one command on a fresh connection; resolves the first reply line. */
  command(args: readonly string[], timeoutMs?: number): Promise<string>;
}

const alive = new Map<number, ChildProcess>();
let hookInstalled = false;

function installExitHook(): void {
  if (hookInstalled) return;
  hookInstalled = true;
  process.once('exit', () => {
    for (const pid of alive.keys()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
}

/** The path of `redis-server` on PATH (or REDIS_SERVER_BIN), or null. */
export function findRedisServer(env: NodeJS.ProcessEnv = process.env): string | null {
  const candidates = env.REDIS_SERVER_BIN
    ? [env.REDIS_SERVER_BIN]
    : (env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'redis-server'));
  for (const file of candidates) {
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return null;
}

/** A free loopback port other than 6379. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const addr = srv.address();
        srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
      });
    });
    if (port !== 6379 && port > 1024) return port;
  }
}

function encode(args: readonly string[]): string {
  let out = `*${args.length}\r\n`;
  for (const a of args) out += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return out;
}

/** Sends one RESP command to 127.0.0.1:port and resolves the first reply line. */
export function sendCommand(
  port: number,
  args: readonly string[],
  timeoutMs = 2000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let buf = '';
    const timer = setTimeout(
      () => finish(new Error(`${args[0]} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
    function finish(err: Error | null, line?: string): void {
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(line ?? '');
    }
    socket.once('connect', () => socket.write(encode(args)));
    socket.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      const i = buf.indexOf('\r\n');
      if (i >= 0) finish(null, buf.slice(0, i));
    });
    socket.once('error', (e) => finish(e));
    socket.once('close', () => finish(new Error(`connection closed before a reply to ${args[0]}`)));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

class SpawnedRedis implements RedisProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private readonly dir = mkdtempSync(path.join(os.tmpdir(), 'bw-drill-'));
  private stopped = false;

  constructor(
    private readonly bin: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }
  get pid(): number {
    return this.running ? (this.child?.pid ?? -1) : -1;
  }
  get running(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--daemonize', 'no'];
    args.push('--dir', this.dir, '--save', '', '--appendonly', 'no', '--loglevel', 'warning');
    args.push('--enable-debug-command', 'yes');
    const child = spawn(this.bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    this.exited = new Promise((resolve) => {
      child.once('exit', () => {
        if (child.pid !== undefined) alive.delete(child.pid);
        resolve();
      });
      child.once('error', () => resolve());
    });
    if (child.pid !== undefined) alive.set(child.pid, child);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (!this.running) break;
      try {
        if ((await sendCommand(this.port, ['PING'], 500)) === '+PONG') return;
      } catch {
        // not listening yet
      }
      await sleep(25);
    }
    await this.kill();
    throw new Error(`redis-server on port ${this.port} did not start: ${stderr.trim()}`);
  }

  private signal(sig: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid !== undefined && alive.has(pid)) {
      try {
        process.kill(pid, sig);
      } catch {
        // exited meanwhile
      }
    }
  }

  async kill(): Promise<void> {
    this.signal('SIGKILL');
    await this.exited;
  }
  pause(): void {
    this.signal('SIGSTOP');
  }
  resume(): void {
    this.signal('SIGCONT');
  }
  async restart(): Promise<void> {
    if (this.running) await this.kill();
    await this.start();
  }
  async stop(): Promise<void> {
    if (this.running) {
      this.signal('SIGCONT');
      this.signal('SIGTERM');
      const timer = setTimeout(() => this.signal('SIGKILL'), 2000);
      await this.exited;
      clearTimeout(timer);
    }
    if (!this.stopped) rmSync(this.dir, { recursive: true, force: true });
    this.stopped = true;
  }
  command(args: readonly string[], timeoutMs = 2000): Promise<string> {
    return sendCommand(this.port, args, timeoutMs);
  }
}

/** Starts redis-server (`bin`) on a free loopback port and waits until it answers PING. */
export async function spawnRedis(bin: string): Promise<RedisProcess> {
  installExitHook();
  const server = new SpawnedRedis(bin, await freePort());
  await server.start();
  return server;
}
