/** The pure decision "should a closed circuit open", from window counts and thresholds. */
import type { WindowCounts } from './sliding-window.js';

/** The thresholds the trip rule reads (a subset of the resolved breaker options). */
export interface TripThresholds {
  readonly failureThreshold: number;
  readonly failureRateThreshold: number;
  readonly slowCallDuration: number | false;
  readonly slowCallRateThreshold: number;
}

/** Why the rule fired, or `null` to stay closed. */
export type TripVerdict = 'failure-threshold' | 'slow-call-threshold' | null;

/**
 * Opens when `failures >= failureThreshold` AND `failures / calls >= failureRateThreshold`;
 * or, with the slow-call rule enabled, when `calls >= failureThreshold` AND
 * `slow / calls >= slowCallRateThreshold`. Short-circuited and ignored calls are not in `calls`.
 */
export function evaluateTripRule(counts: WindowCounts, t: TripThresholds): TripVerdict {
  const { calls, failures } = counts;
  if (calls === 0) return null;
  if (failures >= t.failureThreshold && failures / calls >= t.failureRateThreshold) {
    return 'failure-threshold';
  }
  if (
    t.slowCallDuration !== false &&
    calls >= t.failureThreshold &&
    counts.slow > 0 &&
    counts.slow / calls >= t.slowCallRateThreshold
  ) {
    return 'slow-call-threshold';
  }
  return null;
}
