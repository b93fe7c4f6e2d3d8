/**
 * Plays a drill plan against a redis-server this process owns: real SIGKILL, SIGSTOP /
 * SIGCONT, CONFIG SET timeout and DEBUG SLEEP. Without an owned server (REDIS_URL, or no
 * Redis at all) the phases keep their timing and the faults are skipped: the drill never
 * reconfigures or signals a server it did not start.
 */
import type { DrillPhase, PhaseKind } from './drill-plan.js';
import type { RedisProcess } from './redis-process.js';

/** One played phase; times are milliseconds on the drill's clock. */
export interface PhaseRecord {
  kind: PhaseKind;
  start: number;
  end: number;
  /** Stretches of the phase when the fault was active (server dead, stopped, sleeping, idle). */
  windows: { start: number; end: number }[];
  /** When the fault was injected (first window start); null without a fault. */
  faultAt: number | null;
  /** When the server was usable again (restart ready, SIGCONT, DEBUG SLEEP returned). */
  recoveredAt: number | null;
  /** Why the fault was not injected, if it was not. */
  skipped?: string;
}

export interface PlayHooks {
  /** The drill's clock, in milliseconds. */
  now(): number;
  /** Stops issuing requests (idle gaps). */
  pauseLoad(): void;
  resumeLoad(): void;
  /** Called when a phase starts. */
  onPhaseStart?(phase: DrillPhase, index: number): void;
  /** Called at the end of a kill or freeze, just before the server comes back. */
  beforeRecover?(kind: PhaseKind): void;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

async function untilEnd(hooks: PlayHooks, end: number, signal?: AbortSignal): Promise<void> {
  await sleep(end - hooks.now(), signal);
}

/** Plays every phase in order; resolves the records (also when aborted midway). */
export async function playPlan(
  plan: readonly DrillPhase[],
  redis: RedisProcess | null,
  hooks: PlayHooks,
  signal?: AbortSignal,
): Promise<PhaseRecord[]> {
  const records: PhaseRecord[] = [];
  for (const [index, phase] of plan.entries()) {
    if (signal?.aborted) break;
    hooks.onPhaseStart?.(phase, index);
    const start = hooks.now();
    const end = start + phase.durationMs;
    const rec: PhaseRecord = {
      kind: phase.kind,
      start,
      end,
      windows: [],
      faultAt: null,
      recoveredAt: null,
    };
    records.push(rec);
    const isFault = phase.kind !== 'baseline' && phase.kind !== 'recovery';
    if (isFault && redis === null) rec.skipped = 'no redis-server owned by the drill';
    try {
      if (!isFault || redis === null) await untilEnd(hooks, end, signal);
      else await playFault(phase, redis, rec, hooks, end, signal);
    } finally {
      hooks.resumeLoad();
    }
    rec.end = hooks.now();
  }
  return records;
}

async function playFault(
  phase: DrillPhase,
  redis: RedisProcess,
  rec: PhaseRecord,
  hooks: PlayHooks,
  end: number,
  signal?: AbortSignal,
): Promise<void> {
  switch (phase.kind) {
    case 'idle-reaping': {
      await redis.command(['CONFIG', 'SET', 'timeout', '1']);
      try {
        // Load for a second, then an idle gap longer than the server's timeout, repeated.
        while (hooks.now() + 1000 + phase.faultMs + 300 <= end && !signal?.aborted) {
          await sleep(1000, signal);
          hooks.pauseLoad();
          const gapStart = hooks.now();
          await sleep(phase.faultMs, signal);
          hooks.resumeLoad();
          rec.windows.push({ start: gapStart, end: hooks.now() });
          rec.faultAt ??= hooks.now();
        }
        await untilEnd(hooks, end, signal);
      } finally {
        await redis.command(['CONFIG', 'SET', 'timeout', '0']).catch(() => undefined);
      }
      return;
    }
    case 'kill': {
      rec.faultAt = hooks.now();
      await redis.kill();
      await sleep(rec.faultAt + phase.faultMs - hooks.now(), signal);
      hooks.beforeRecover?.(phase.kind);
      await redis.restart();
      rec.recoveredAt = hooks.now();
      rec.windows.push({ start: rec.faultAt, end: rec.recoveredAt });
      await untilEnd(hooks, end, signal);
      return;
    }
    case 'freeze': {
      rec.faultAt = hooks.now();
      redis.pause();
      try {
        await sleep(phase.faultMs, signal);
        hooks.beforeRecover?.(phase.kind);
      } finally {
        redis.resume();
      }
      rec.recoveredAt = hooks.now();
      rec.windows.push({ start: rec.faultAt, end: rec.recoveredAt });
      await untilEnd(hooks, end, signal);
      return;
    }
    case 'slow': {
      const seconds = (phase.faultMs / 1000).toFixed(3);
      const starts = [0];
      if (phase.durationMs / 2 >= phase.faultMs + 1000) starts.push(phase.durationMs / 2);
      const t0 = hooks.now();
      for (const offset of starts) {
        await sleep(t0 + offset - hooks.now(), signal);
        if (signal?.aborted) break;
        const s = hooks.now();
        rec.faultAt ??= s;
        await redis
          .command(['DEBUG', 'SLEEP', seconds], phase.faultMs + 5000)
          .catch(() => undefined);
        const back = hooks.now();
        rec.recoveredAt ??= back;
        rec.windows.push({ start: s, end: back });
      }
      await untilEnd(hooks, end, signal);
      return;
    }
    default:
      await untilEnd(hooks, end, signal);
  }
}
