/**
 * Starts real `redis-server` processes on free loopback ports for integration tests.
 *
 * Every spawned pid is tracked; a `process.once('exit')` hook SIGKILLs whatever is still
 * alive so that a crashed test run never leaks a server. Only pids spawned here are ever
 * signalled.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { freePort, releasePort } from './free-port.js';
import { alive, installExitHook, servers } from './process-registry.js';
import { rawPing } from './raw-ping.js';
import { runCli } from './redis-cli.js';
import type { TlsFiles } from './tls.js';

export type { TlsFiles } from './tls.js';
export { freePort } from './free-port.js';
export { isPidAlive, spawnedPids } from './process-registry.js';
export { rawPing } from './raw-ping.js';
export { REDIS_CLI_BIN, runCli } from './redis-cli.js';

export const REDIS_SERVER_BIN = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';

/** How long to wait for a server to accept PING before giving up, in ms. */
const READY_TIMEOUT_MS = 10_000;
/** How long `stop()` waits after SIGTERM before SIGKILL, in ms. */
const STOP_GRACE_MS = 2_000;
const LOG_LINES = 50;

export interface StartRedisOptions {
  /** `requirepass`; the cli wrapper authenticates with it. */
  password?: string;
  /** Serve TLS only (`--port 0 --tls-port P`). */
  tls?: TlsFiles;
  /** Extra redis-server args, e.g. `['--rename-command', 'HELLO', '""']`. */
  args?: string[];
  /** Fixed port; default a free one from {@link freePort}. */
  port?: number;
  /**
   * Text of a config file written into the server's tmp dir and passed as the first
   * argument (needed by sentinel, which rewrites its config). Command-line args still apply.
   */
  configFile?: string;
  /** Run as `redis-server <configFile> --sentinel`. Requires `configFile`. */
  sentinel?: boolean;
}

export interface CliOptions {
  /** Send the password (`-a`), default true when the server has one. */
  auth?: boolean;
  /** Kill redis-cli after this many ms, default 10 000. */
  timeoutMs?: number;
}

export interface RedisServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly pid: number;
  /** `redis://127.0.0.1:port` (`rediss://` with TLS); never contains the password. */
  readonly url: string;
  readonly running: boolean;
  /** The server's tmp dir (cluster and sentinel configs live here). */
  readonly dir: string;
  readonly options: Readonly<StartRedisOptions>;
  /** SIGTERM, wait for exit (SIGKILL after 2 s); removes the tmp dir; idempotent. */
  stop(): Promise<void>;
  /** SIGKILL, wait for exit; keeps the tmp dir so `restart()` can reuse it. */
  kill(): Promise<void>;
  /** SIGSTOP. */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  /** Start again on the same port with the same options, wait until ready (pid changes). */
  restart(): Promise<void>;
  /** Runs redis-cli against this server; resolves trimmed stdout, rejects on failure or error reply. */
  cli(...args: string[]): Promise<string>;
  /** {@link cli} with options (e.g. `{ auth: false }` to test NOAUTH). */
  cliWith(options: CliOptions, ...args: string[]): Promise<string>;
  /** Last ~50 lines the server printed. */
  logTail(): string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

class ManagedRedis implements RedisServer {
  readonly host = '127.0.0.1' as const;
  readonly dir: string;
  port: number;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private log: string[] = [];
  private dirRemoved = false;

  constructor(
    readonly options: Readonly<StartRedisOptions>,
    port: number,
    private readonly portFixed: boolean,
  ) {
    this.port = port;
    this.dir = mkdtempSync(path.join(os.tmpdir(), 'bw-redis-'));
  }

  get pid(): number {
    return this.child?.pid ?? -1;
  }
  get url(): string {
    return `${this.options.tls ? 'rediss' : 'redis'}://127.0.0.1:${this.port}`;
  }
  get running(): boolean {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  logTail(): string {
    return this.log.join('\n');
  }

  private buildArgs(): string[] {
    const o = this.options;
    const args: string[] = [];
    if (o.configFile !== undefined) {
      const file = path.join(this.dir, o.sentinel ? 'sentinel.conf' : 'redis.conf');
      // Sentinel rewrites its config: write it only once so restart() keeps its state.
      if (!existsSync(file)) writeFileSync(file, o.configFile);
      args.push(file);
      if (o.sentinel) args.push('--sentinel');
    }
    if (o.tls) {
      args.push('--port', '0', '--tls-port', String(this.port));
      args.push('--tls-cert-file', o.tls.serverCertFile, '--tls-key-file', o.tls.serverKeyFile);
      args.push('--tls-ca-cert-file', o.tls.caCertFile, '--tls-auth-clients', 'no');
    } else {
      args.push('--port', String(this.port));
    }
    args.push('--bind', '127.0.0.1', '--daemonize', 'no', '--dir', this.dir);
    args.push('--loglevel', 'warning', '--enable-debug-command', 'yes');
    if (!o.sentinel) args.push('--save', '', '--appendonly', 'no');
    if (o.password !== undefined) args.push('--requirepass', o.password);
    args.push(...(o.args ?? []));
    return args;
  }

  private pushLog(chunk: Buffer): void {
    const secret = this.options.password;
    for (const raw of chunk.toString('utf8').split('\n')) {
      if (raw.trim() === '') continue;
      this.log.push(secret ? raw.split(secret).join('***') : raw);
    }
    if (this.log.length > LOG_LINES) this.log.splice(0, this.log.length - LOG_LINES);
  }

  /** Spawns and waits for PING; retries when the port is briefly busy. */
  async start(keepPort = this.portFixed): Promise<void> {
    if (this.dirRemoved) {
      mkdirSync(this.dir, { recursive: true });
      this.dirRemoved = false;
    }
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      const outcome = await this.spawnOnce(deadline);
      if (outcome === 'ready') return;
      if (outcome === 'busy' && Date.now() < deadline) {
        if (!keepPort) {
          releasePort(this.port);
          this.port = await freePort();
        }
        await sleep(100);
        continue;
      }
      await this.kill();
      throw new Error(
        `redis-server on port ${this.port} did not become ready (${outcome}); log tail:\n${this.logTail()}`,
      );
    }
  }

  private async spawnOnce(deadline: number): Promise<'ready' | 'busy' | 'exited' | 'timeout'> {
    this.log = [];
    const child = spawn(REDIS_SERVER_BIN, this.buildArgs(), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let exitedFlag = false;
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        exitedFlag = true;
        if (child.pid !== undefined) alive.delete(child.pid);
        resolve();
      });
      child.once('error', (e) => {
        this.log.push(`spawn error: ${e.message}`);
        exitedFlag = true;
        resolve();
      });
    });
    if (child.pid !== undefined) alive.set(child.pid, child);
    child.stdout?.on('data', (d: Buffer) => this.pushLog(d));
    child.stderr?.on('data', (d: Buffer) => this.pushLog(d));
    while (Date.now() < deadline) {
      if (exitedFlag) {
        await sleep(20); // let the last output arrive
        return /Address already in use/i.test(this.logTail()) ? 'busy' : 'exited';
      }
      try {
        const reply = await rawPing(this.port, { tls: this.options.tls, timeoutMs: 1000 });
        if (reply === '+PONG' || reply.startsWith('-NOAUTH')) {
          if (!exitedFlag) return 'ready';
        }
      } catch {
        // not listening yet
      }
      await sleep(50);
    }
    return 'timeout';
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

  async stop(): Promise<void> {
    if (this.running) {
      this.signal('SIGTERM');
      this.signal('SIGCONT'); // a paused server must run to handle SIGTERM
      const timer = setTimeout(() => this.signal('SIGKILL'), STOP_GRACE_MS);
      await this.exited;
      clearTimeout(timer);
    }
    await this.exited;
    if (!this.dirRemoved) {
      rmSync(this.dir, { recursive: true, force: true });
      this.dirRemoved = true;
    }
    servers.delete(this);
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
    if (this.running) await this.stopProcessOnly();
    servers.add(this);
    await this.start(true);
  }

  private async stopProcessOnly(): Promise<void> {
    this.signal('SIGTERM');
    this.signal('SIGCONT');
    const timer = setTimeout(() => this.signal('SIGKILL'), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  cli(...args: string[]): Promise<string> {
    return this.cliWith({}, ...args);
  }

  cliWith(options: CliOptions, ...args: string[]): Promise<string> {
    const base = ['-h', '127.0.0.1', '-p', String(this.port)];
    if (this.options.tls) base.push('--tls', '--cacert', this.options.tls.caCertFile);
    const pw = this.options.password;
    if (pw !== undefined && options.auth !== false) base.push('-a', pw, '--no-auth-warning');
    return runCli([...base, ...args], options.timeoutMs ?? 10_000, pw);
  }
}

/** Starts a redis-server and resolves once it answers PING (or NOAUTH). */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  installExitHook();
  const known = ['password', 'tls', 'args', 'port', 'configFile', 'sentinel'];
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length > 0)
    throw new TypeError(`startRedis: unknown option(s) ${unknown.join(', ')}`);
  const opts: StartRedisOptions = { ...options, args: [...(options.args ?? [])] };
  if (opts.sentinel && opts.configFile === undefined) {
    throw new TypeError('startRedis: sentinel requires configFile');
  }
  if (opts.port !== undefined && (!Number.isInteger(opts.port) || opts.port === 6379)) {
    throw new RangeError(`startRedis: port must be an integer other than 6379, got ${opts.port}`);
  }
  const port = opts.port ?? (await freePort());
  const server = new ManagedRedis(opts, port, opts.port !== undefined);
  servers.add(server);
  try {
    await server.start();
  } catch (e) {
    await server.stop();
    throw e;
  }
  return server;
}

/** Stops every server this process started. */
export async function stopAllRedis(): Promise<void> {
  await Promise.all([...servers].map((s) => s.stop()));
}
