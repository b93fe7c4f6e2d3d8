/**
 * The outage drill of the integration tests: steady HTTP load on a service, its redis-server
 * SIGKILLed (then restarted on the same port) or SIGSTOPped (then SIGCONTed) in the middle, or a
 * {@link TopologyFault} (e.g. a Cluster or Sentinel master faulted until its replica is promoted),
 * and every request recorded with the phase it was sent in:
 *   'up' (before the fault) → 'outage' → 'recovering' (fault ended, until `recovered()`) → 'after'.
 * A request sent in the last {@link FAULT_BOUNDARY_MS} before the fault and still unanswered
 * when it began counts as 'outage': its Redis call may have met the fault (under the 'closed'
 * policy such a request is rightly a 429), so it says nothing about how the service answers
 * while Redis is healthy. Earlier requests keep their 'up' label even when answered after the
 * fault began, so a deadline fallback while Redis was healthy still fails a drill's 'up' check
 * (only one in that last window is not seen).
 */
import { startHttpLoad } from './http-load.js';
import type { HttpLoadOptions, HttpSample } from './http-load.js';
import type { RedisServer } from './redis-server.js';

export type RedisFault = 'kill' | 'pause';

/**
 * How long before the fault a request may have been sent and still have its Redis call meet
 * the fault, in ms: the time from sending to the service's Redis call on a loaded CI machine
 * (the boundary requests seen failing were sent 0-1 ms before it).
 */
export const FAULT_BOUNDARY_MS = 100;

/**
 * A fault of a whole topology (e.g. a Cluster or Sentinel master SIGKILLed, ended by the
 * promotion of its replica): `begin` applies it, `end` resolves once it is over.
 */
export interface TopologyFault {
  begin(): Promise<void>;
  end(): Promise<void>;
}

/** A fault of one server (restarted / resumed at the end), or of a topology. */
export type OutageFault =
  | {
      /** The server to fault (only processes started by test-support are ever signalled). */
      server: RedisServer;
      /** SIGKILL + restart, or SIGSTOP + SIGCONT. */
      fault: RedisFault;
    }
  | { server?: undefined; fault: TopologyFault };

export type OutageUnderLoadOptions = OutageFault & OutageLoadOptions;

export interface OutageLoadOptions {
  /** The load; its `rate` and `path` stay the same in every phase. */
  load: HttpLoadOptions;
  /** Load before the fault, in ms. @default 500 */
  upMs?: number;
  /** How long the fault lasts, in ms. @default 2000 */
  outageMs?: number;
  /** Load after recovery, in ms. @default 500 */
  afterMs?: number;
  /** Polled every 50 ms once the fault ended; true when the service uses Redis again. */
  recovered: () => Promise<boolean>;
  /** Longest wait for `recovered()`, in ms. @default 15000 */
  recoveryTimeoutMs?: number;
  /** Called while the fault is on, after `outageMs / 2` (e.g. to scrape /metrics). */
  duringOutage?: () => Promise<void>;
}

export interface OutageUnderLoadResult {
  samples: HttpSample[];
  /** Samples of one phase. */
  phase(name: 'up' | 'outage' | 'recovering' | 'after'): HttpSample[];
  /** ms from the end of the fault (restart done / SIGCONT / `end()` resolved) to `recovered()` holding. */
  recoveryMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function topologyFaultOf(o: OutageFault): TopologyFault {
  if (o.server === undefined) return o.fault;
  const server = o.server;
  return o.fault === 'kill'
    ? { begin: () => server.kill(), end: () => server.restart() }
    : { begin: async () => server.pause(), end: async () => server.resume() };
}

/** Runs the drill; always ends the fault (restart/resume/`end`) once begun, even if a step throws. */
export async function outageUnderLoad(o: OutageUnderLoadOptions): Promise<OutageUnderLoadResult> {
  const load = startHttpLoad(o.load);
  let faultEnded = false;
  const fault = topologyFaultOf(o);
  let faultBegun = false;
  const endFault = async (): Promise<void> => {
    if (faultEnded || !faultBegun) return;
    faultEnded = true;
    await fault.end();
  };
  let recoveryMs: number | undefined;
  let faultAt = Number.POSITIVE_INFINITY;
  try {
    load.setPhase('up');
    await sleep(o.upMs ?? 500);
    load.setPhase('outage');
    faultAt = performance.now();
    faultBegun = true;
    await fault.begin();
    const outageMs = o.outageMs ?? 2_000;
    await sleep(outageMs / 2);
    await o.duringOutage?.();
    await sleep(outageMs / 2);
    load.setPhase('recovering');
    await endFault();
    const ended = performance.now();
    const deadline = ended + (o.recoveryTimeoutMs ?? 15_000);
    while (!(await o.recovered())) {
      if (performance.now() > deadline) throw new Error('service did not recover in time');
      await sleep(50);
    }
    recoveryMs = performance.now() - ended;
    load.setPhase('after');
    await sleep(o.afterMs ?? 500);
  } finally {
    await endFault();
    await load.stop();
  }
  const samples = [...load.samples]
    .map((s) =>
      s.phase === 'up' && s.start >= faultAt - FAULT_BOUNDARY_MS && s.start + s.ms >= faultAt
        ? { ...s, phase: 'outage' }
        : s,
    )
    .sort((a, b) => a.start - b.start);
  return {
    samples,
    phase: (name) => samples.filter((s) => s.phase === name),
    recoveryMs: recoveryMs ?? Number.NaN,
  };
}
