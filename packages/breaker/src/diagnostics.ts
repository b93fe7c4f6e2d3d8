/**
 * The breaker's `node:diagnostics_channel` channels: APM tools and loggers subscribe by name,
 * without the breaker knowing about them. Every publish is guarded by `hasSubscribers`, so a
 * process where nobody subscribes builds no payload and pays one property read per event.
 *
 * A subscriber that throws is Node's business, not the breaker's: `publish` catches it and
 * re-raises it on `process.nextTick` as an uncaught exception (Node's documented behaviour for
 * every channel), so the call in progress is never disturbed, but the subscriber must not throw.
 */
import { channel } from 'node:diagnostics_channel';
import type { CircuitState, RejectionReason, StateChangeReason } from './types.js';

/** Names of the breaker's diagnostics channels. */
export const BREAKER_CHANNELS = Object.freeze({
  /** Every state change of every breaker. Payload: {@link BreakerStateChangeMessage}. */
  stateChange: 'breakwater:breaker:state-change',
  /** Every call's outcome, once, when it is known. Payload: {@link BreakerCallMessage}. */
  call: 'breakwater:breaker:call',
} as const);

/** Published on `breakwater:breaker:state-change`. */
export interface BreakerStateChangeMessage {
  /** The breaker's name. */
  readonly name: string;
  readonly from: CircuitState;
  readonly to: CircuitState;
  readonly reason: StateChangeReason;
  /** Clock time of the change, in ms. */
  readonly at: number;
}

/** The outcome of one `execute()` call. */
export type BreakerCallOutcome = 'success' | 'failure' | 'timeout' | 'ignored' | 'rejected';

/** Published on `breakwater:breaker:call`. */
export interface BreakerCallMessage {
  /** The breaker's name. */
  readonly name: string;
  /**
   * `success`, `failure` (counted against the circuit), `timeout` (deadline passed; also a
   * failure), `ignored` (an error `isFailure` rejected, or the caller's abort), `rejected`
   * (short-circuited without running).
   */
  readonly outcome: BreakerCallOutcome;
  /** Run time in ms (0 for `rejected`), on the breaker's clock. */
  readonly durationMs: number;
  /** The error, for `failure`, `timeout` and `ignored`. */
  readonly error?: unknown;
  /** Why a `rejected` call was short-circuited. */
  readonly reason?: RejectionReason;
}

/** @internal */
export const stateChangeChannel = channel(BREAKER_CHANNELS.stateChange);
/** @internal */
export const callChannel = channel(BREAKER_CHANNELS.call);
