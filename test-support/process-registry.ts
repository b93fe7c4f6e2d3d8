/**
 * Every redis-server pid this process spawned, and the safety net that SIGKILLs them when
 * the process ends (exit, or SIGTERM/SIGINT/SIGHUP, which vitest uses to end its forks).
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

export const alive = new Map<number, ChildProcess>();
export const servers = new Set<{ readonly dir: string; stop(): Promise<void> }>();
let exitHookInstalled = false;

function killAllSync(): void {
  for (const pid of alive.keys()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const s of servers) rmSync(s.dir, { recursive: true, force: true });
}

function onSignal(sig: NodeJS.Signals): void {
  killAllSync();
  // Keep the default behaviour (terminate) unless someone else handles the signal.
  if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
}

/**
 * Vitest ends its fork workers with SIGTERM, where 'exit' never fires: kill our servers on
 * the usual termination signals too, then re-raise so the process still terminates.
 */
export function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', killAllSync);
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(sig, onSignal);
}

/** Pids spawned by this process that have not exited yet. */
export function spawnedPids(): number[] {
  return [...alive.keys()];
}

/** True if a process with this pid exists (signal 0). */
export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
