import { describe, expect, it } from 'vitest';
import { evaluateTripRule, type TripThresholds } from './trip-rule.js';

const t: TripThresholds = {
  failureThreshold: 3,
  failureRateThreshold: 0.5,
  slowCallDuration: false,
  slowCallRateThreshold: 1,
};
const counts = (calls: number, failures: number, slow = 0) => ({ calls, failures, slow });

describe('evaluateTripRule', () => {
  it('needs both the failure count and the failure rate (>=)', () => {
    expect(evaluateTripRule(counts(3, 3), t)).toBe('failure-threshold');
    expect(evaluateTripRule(counts(6, 3), t)).toBe('failure-threshold'); // 0.5 >= 0.5
    expect(evaluateTripRule(counts(7, 3), t)).toBeNull(); // rate 0.43
    expect(evaluateTripRule(counts(2, 2), t)).toBeNull(); // count 2 < 3
    expect(evaluateTripRule(counts(0, 0), t)).toBeNull();
  });

  it('1% failures over 1000 calls never trips', () => {
    expect(evaluateTripRule(counts(1000, 10), { ...t, failureRateThreshold: 0.05 })).toBeNull();
  });

  it('slow-call rule: rate over calls, with at least failureThreshold calls', () => {
    const s = { ...t, slowCallDuration: 100, slowCallRateThreshold: 0.5 } as const;
    expect(evaluateTripRule(counts(4, 0, 2), s)).toBe('slow-call-threshold');
    expect(evaluateTripRule(counts(2, 0, 2), s)).toBeNull(); // fewer than 3 calls
    expect(evaluateTripRule(counts(5, 0, 2), s)).toBeNull(); // 0.4 < 0.5
    expect(evaluateTripRule(counts(4, 0, 2), t)).toBeNull(); // rule disabled
    expect(evaluateTripRule(counts(4, 0, 0), { ...s, slowCallRateThreshold: 0 })).toBeNull();
  });
});
