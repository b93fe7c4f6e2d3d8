/**
 * The drill's script: an ordered list of phases, each with a duration and, for faults, the
 * length of the fault. FULL_PLAN is what `pnpm demo` plays (about 40 s); SHORT_PLAN is the
 * CI form (about 17 s). A plan can also be given as text, e.g.
 * `baseline:3000,kill:6000/3000,freeze:6000/3000` (phase:durationMs/faultMs).
 */

/** What a phase does to the Redis server. */
export type PhaseKind = 'baseline' | 'idle-reaping' | 'kill' | 'freeze' | 'slow' | 'recovery';

export interface DrillPhase {
  kind: PhaseKind;
  /** Length of the whole phase (fault plus recovery tail), in milliseconds. */
  durationMs: number;
  /**
   * Length of the fault, in milliseconds: the idle gap for 'idle-reaping' (the server closes
   * connections idle for more than 1 s), the time the server stays dead ('kill') or stopped
   * ('freeze'), the DEBUG SLEEP length ('slow'). Ignored for 'baseline' and 'recovery'.
   */
  faultMs: number;
}

export const PHASE_KINDS: readonly PhaseKind[] = [
  'baseline',
  'idle-reaping',
  'kill',
  'freeze',
  'slow',
  'recovery',
];

/** Human description of each phase, for the live output and the chart. */
export const PHASE_LABELS: Readonly<Record<PhaseKind, string>> = {
  baseline: 'baseline',
  'idle-reaping': 'idle reaping (CONFIG SET timeout 1 + idle gaps)',
  kill: 'server SIGKILLed, then restarted',
  freeze: 'server frozen (SIGSTOP), then SIGCONT',
  slow: 'slow commands (DEBUG SLEEP)',
  recovery: 'recovery',
};

/** About 40 s: what `pnpm demo` and `pnpm bench:outage` play. */
export const FULL_PLAN: readonly DrillPhase[] = [
  { kind: 'baseline', durationMs: 4000, faultMs: 0 },
  { kind: 'idle-reaping', durationMs: 8000, faultMs: 2200 },
  { kind: 'kill', durationMs: 9000, faultMs: 5000 },
  { kind: 'freeze', durationMs: 9000, faultMs: 5000 },
  { kind: 'slow', durationMs: 7000, faultMs: 1500 },
  { kind: 'recovery', durationMs: 3000, faultMs: 0 },
];

/** About 17 s: the CI form (`--short` or DRILL_PROFILE=short). */
export const SHORT_PLAN: readonly DrillPhase[] = [
  { kind: 'baseline', durationMs: 1500, faultMs: 0 },
  { kind: 'idle-reaping', durationMs: 3500, faultMs: 2000 },
  { kind: 'kill', durationMs: 4000, faultMs: 2000 },
  { kind: 'freeze', durationMs: 4000, faultMs: 2000 },
  { kind: 'slow', durationMs: 2500, faultMs: 1000 },
  { kind: 'recovery', durationMs: 1500, faultMs: 0 },
];

/** Total length of a plan in milliseconds. */
export function planDuration(plan: readonly DrillPhase[]): number {
  return plan.reduce((sum, p) => sum + p.durationMs, 0);
}

function positive(what: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new RangeError(`${what} must be a non-negative number of milliseconds, got "${text}"`);
  }
  return n;
}

/**
 * Parses `kind:durationMs[/faultMs],...`. Unknown kinds, bad numbers and a fault longer than
 * its phase fail with a RangeError naming the bad part.
 */
export function parsePlan(spec: string): DrillPhase[] {
  const phases = spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((part): DrillPhase => {
      const m = /^([a-z-]+):([^/]+)(?:\/(.+))?$/.exec(part);
      if (!m)
        throw new RangeError(`drill phase must look like kind:durationMs[/faultMs], got "${part}"`);
      const kind = m[1] as PhaseKind;
      if (!PHASE_KINDS.includes(kind)) {
        throw new RangeError(
          `drill phase kind must be one of ${PHASE_KINDS.join(', ')}, got "${m[1]}"`,
        );
      }
      const durationMs = positive(`duration of phase "${part}"`, m[2] ?? '');
      const faultMs = m[3] === undefined ? 0 : positive(`fault length of phase "${part}"`, m[3]);
      if (faultMs > durationMs) {
        throw new RangeError(`fault length of phase "${part}" must not exceed its duration`);
      }
      return { kind, durationMs, faultMs };
    });
  if (phases.length === 0)
    throw new RangeError(`drill plan must have at least one phase, got "${spec}"`);
  return phases;
}
