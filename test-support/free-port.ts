/**
 * Free loopback ports for test servers, reserved across processes.
 *
 * Each vitest worker is its own process, and CI runs the Node 22 and Node 24 suites side by
 * side, so a port that is free when one process probes it can be taken by another before its
 * redis-server binds it. Worse, a cluster node on port P also binds its bus port P + 10000,
 * which another process may have just handed out as a node port. Two measures close that:
 *
 * - **Ports below the kernel's ephemeral range.** Node and bus ports are drawn from
 *   [10000, low − 10000) and so lie below `ip_local_port_range`'s low bound: no outgoing
 *   client socket (redis-cli, a test's client) is ever auto-bound to one of them.
 * - **A reservation file per port** in one directory under the OS temp dir, created with
 *   `wx` (exclusive) and holding the owner's pid. A port is handed out only when both it and
 *   its bus port were reserved; reservations of processes that no longer exist are taken
 *   over; this process's reservations are removed when it exits.
 */
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { isPidAlive } from './process-registry.js';

const RESERVATIONS = path.join(os.tmpdir(), 'breakwater-test-ports');
const BUS_OFFSET = 10000;
const LOWEST = 10000;
const mine = new Set<number>();
let exitHook = false;

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

/** The low bound of the kernel's ephemeral port range (32768 where it cannot be read). */
function ephemeralLow(): number {
  try {
    const low = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').split(/\s+/)[0],
    );
    return Number.isInteger(low) && low > LOWEST + 2 * BUS_OFFSET ? low : 32768;
  } catch {
    return 32768;
  }
}

/** Upper bound (exclusive) of node ports: their bus ports stay below the ephemeral range. */
const HIGHEST = Math.min(ephemeralLow(), 65536) - BUS_OFFSET;

/** The reservation file of `port`. */
function fileOf(port: number): string {
  return path.join(RESERVATIONS, String(port));
}

function removeMine(): void {
  for (const port of mine) rmSync(fileOf(port), { force: true });
  mine.clear();
}

/** Creates `file` exclusively with this pid inside: false if it exists. */
function createExclusive(file: string): boolean {
  try {
    const fd = openSync(file, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** The pid in a reservation file: 0 while its owner is still writing it, NaN if it is gone. */
function ownerOf(file: string): number {
  try {
    return Number(readFileSync(file, 'utf8'));
  } catch {
    return NaN;
  }
}

/**
 * Reserves `port` for this process: true if it was free or its owner is gone. Taking over a
 * dead owner's file happens under an exclusive `<port>.takeover` lock and re-reads the owner
 * under it, so two processes that both saw the dead pid cannot both end up holding the port
 * (the second would otherwise delete the first one's fresh reservation).
 */
function reserve(port: number): boolean {
  const held = takeOrTakeOver(fileOf(port));
  if (held) mine.add(port);
  return held;
}

function takeOrTakeOver(file: string): boolean {
  if (createExclusive(file)) return true;
  const owner = ownerOf(file);
  if (!Number.isInteger(owner) || owner <= 0 || isPidAlive(owner)) return false;
  const lock = `${file}.takeover`;
  if (!createExclusive(lock)) return false;
  try {
    if (ownerOf(file) !== owner) return false; // someone else took it over first
    rmSync(file, { force: true });
    return createExclusive(file);
  } finally {
    rmSync(lock, { force: true });
  }
}

function unreserve(port: number): void {
  if (mine.delete(port)) rmSync(fileOf(port), { force: true });
}

/**
 * A free loopback port for a test server, never 6379: reserved for this process together with
 * its cluster bus port (`port + 10000`), both below the ephemeral range and both free when
 * probed (a socket in TIME_WAIT on the bus port would make a cluster node abort with "Address
 * already in use" for up to 60 s). See the file comment.
 */
export async function freePort(): Promise<number> {
  mkdirSync(RESERVATIONS, { recursive: true });
  if (!exitHook) {
    exitHook = true;
    process.once('exit', removeMine);
  }
  for (let i = 0; i < 500; i++) {
    const port = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST));
    if (port === 6379 || mine.has(port) || mine.has(port + BUS_OFFSET)) continue;
    if (!reserve(port)) continue;
    if (!reserve(port + BUS_OFFSET)) {
      unreserve(port);
      continue;
    }
    if ((await probe(port)) !== 0 && (await probe(port + BUS_OFFSET)) !== 0) return port;
    unreserve(port);
    unreserve(port + BUS_OFFSET);
  }
  throw new Error('freePort: no suitable port found after 500 attempts');
}

/**
 * Gives back every reservation this process holds. Vitest ends its workers without an `exit`
 * event, so `release-ports.setup.ts` calls this after each test file's own hooks.
 */
export function releaseAllPorts(): void {
  removeMine();
}

/** Gives `port` (and its bus port) back, after it turned out to be taken by someone else. */
export function releasePort(port: number): void {
  unreserve(port);
  unreserve(port + BUS_OFFSET);
}

/** The ports this process holds reservations for (for tests of this helper). */
export function reservedPorts(): number[] {
  return [...mine];
}

/** Reservation files currently on disk (for tests of this helper). */
export function reservationFiles(): string[] {
  try {
    return readdirSync(RESERVATIONS);
  } catch {
    return [];
  }
}
