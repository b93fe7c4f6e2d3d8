/**
 * The breaker's state records (a discriminated union carrying a generation number), their
 * constructors, the open-period length and the snapshot conversion. Pure: no clock, no events.
 */
import createDebug from 'debug';
import type { Backoff } from './backoff.js';
import { BrokenCircuitError } from './errors.js';
import type { CircuitBreakerSnapshot } from './types.js';

const debug = createDebug('breakwater:breaker');

export interface ClosedState {
  readonly kind: 'closed';
  readonly gen: number;
  /**
   * Settlement handlers bound to this generation, shared by every untimed call of it:
   * the hot path attaches them with `.then` and allocates no closure per call. Created on
   * the first such call, so an idle breaker does not pay for them.
   */
  onValue: (() => void) | undefined;
  onError: ((error: unknown) => void) | undefined;
}

export interface OpenState {
  readonly kind: 'open';
  readonly gen: number;
  /** Clock time from which a trial is allowed (Infinity while forced open). */
  readonly until: number;
  /** Consecutive failed trials; drives a Backoff resetTimeout. */
  readonly attempt: number;
  /** Length of this open period in ms (Infinity while forced open). */
  readonly duration: number;
  /** The one error handed to every fallback during this open period. */
  readonly error: BrokenCircuitError;
}

export interface HalfOpenState {
  readonly kind: 'half-open';
  readonly gen: number;
  readonly attempt: number;
  /** Length of the open period that preceded this trial phase (the backoff's `previous`). */
  readonly duration: number;
  /** Trials in flight. */
  inFlight: number;
  /** Shared error for fallbacks of calls rejected because every slot is taken (lazy). */
  fullError: BrokenCircuitError | undefined;
}

export type State = ClosedState | OpenState | HalfOpenState;

export function closedState(gen: number): ClosedState {
  return { kind: 'closed', gen, onValue: undefined, onError: undefined };
}

/**
 * An open state starting at `now` for `remaining` ms (normally its whole `duration`; less when
 * restored from a snapshot). Forced open: no end, `retryAfter`/`nextRetryTime` null.
 */
export function openState(
  name: string,
  gen: number,
  now: number,
  attempt: number,
  duration: number,
  remaining: number,
  forced: boolean,
): OpenState {
  const until = forced ? Infinity : now + remaining;
  const error = new BrokenCircuitError({
    breakerName: name,
    state: 'open',
    reason: forced ? 'forced-open' : 'open',
    retryAfter: forced ? null : remaining,
    nextRetryTime: forced ? null : until,
  });
  return { kind: 'open', gen, until, attempt, duration: forced ? Infinity : duration, error };
}

export function halfOpenState(gen: number, attempt: number, duration: number): HalfOpenState {
  return { kind: 'half-open', gen, attempt, duration, inFlight: 0, fullError: undefined };
}

/**
 * Length of the open period after `attempt` consecutive failed trials (0 for the first
 * opening): the number itself (no jitter), or `backoff.delay(attempt, previous)`. A Backoff
 * that throws or returns a negative, NaN or infinite value yields 0 (logged).
 */
export function openDuration(
  resetTimeout: number | Backoff,
  attempt: number,
  previous: number | undefined,
  name: string,
): number {
  if (typeof resetTimeout === 'number') return resetTimeout;
  let d: number;
  try {
    d = resetTimeout.delay(attempt, attempt === 0 ? undefined : previous);
  } catch (error) {
    debug('%s: resetTimeout backoff threw, using 0 ms: %O', name, error);
    return 0;
  }
  // Infinity too: an open period that never ends would be a silent, permanent outage.
  if (!(d >= 0) || d === Infinity) {
    debug('%s: resetTimeout backoff returned %o, using 0 ms', name, d);
    return 0;
  }
  return d;
}

/** The clock-independent snapshot of `st` at `now`. */
export function snapshotOf(
  st: State,
  forced: 'open' | 'closed' | null,
  now: number,
): CircuitBreakerSnapshot {
  return {
    version: 1,
    state: st.kind,
    openRemainingMs: st.kind === 'open' && forced !== 'open' ? Math.max(0, st.until - now) : null,
    openAttempt: st.kind === 'closed' ? 0 : st.attempt,
    forced,
  };
}
