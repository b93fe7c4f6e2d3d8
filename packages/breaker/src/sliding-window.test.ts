import { describe, expect, it } from 'vitest';
import { SlidingWindow } from './sliding-window.js';

describe('SlidingWindow', () => {
  it('counts calls, failures and slow calls with running sums', () => {
    const w = new SlidingWindow(1000, 10);
    w.record(0, false, false);
    w.record(50, true, false);
    w.record(150, true, true);
    expect(w.expire(150)).toMatchObject({ calls: 3, failures: 2, slow: 1 });
  });

  it('expires a failure once it is older than the window, bucket by bucket', () => {
    const w = new SlidingWindow(1000, 10);
    w.record(0, true, false); // bucket [0, 100)
    w.record(500, true, false); // bucket [500, 600)
    expect(w.expire(999).failures).toBe(2);
    expect(w.expire(1000).failures).toBe(1); // first bucket left the window
    expect(w.expire(1499).failures).toBe(1);
    expect(w.expire(1500).failures).toBe(0); // 1000 ms old: out
  });

  it('never counts a failure older than the window (irregular spacing)', () => {
    const w = new SlidingWindow(60_000, 10);
    const times: number[] = [];
    for (let t = 0; t < 400_000; t += 777 + (t % 5_000)) {
      w.record(t, true, false);
      times.push(t);
      const bucket = (x: number) => Math.floor(x / 6_000);
      const expected = times.filter((x) => bucket(x) > bucket(t) - 10);
      expect(w.failures).toBe(expected.length);
      expect(expected.every((x) => t - x < 60_000)).toBe(true);
    }
  });

  it('nine failures, one hour of silence, one failure: only one failure counts', () => {
    const w = new SlidingWindow(10_000, 10);
    for (let i = 0; i < 9; i++) w.record(i * 100, true, false);
    expect(w.failures).toBe(9);
    w.record(3_600_000, true, false);
    expect(w.expire(3_600_000)).toMatchObject({ calls: 1, failures: 1 });
  });

  it('handles a gap shorter than the window by clearing only the passed buckets', () => {
    const w = new SlidingWindow(1000, 4); // buckets of 250 ms
    w.record(0, true, false);
    w.record(260, true, false);
    w.record(510, false, false);
    w.record(760, true, false);
    // jump 2 buckets: the buckets of t=0 and t=260 leave the window
    expect(w.expire(1260)).toMatchObject({ calls: 2, failures: 1 });
  });

  it('reads before the first record are fine (no buckets allocated yet)', () => {
    const w = new SlidingWindow(1000, 10);
    expect(w.expire(0).calls).toBe(0);
    expect(w.expire(300).calls).toBe(0);
    w.record(400, true, false);
    expect(w.expire(500)).toMatchObject({ calls: 1, failures: 1 });
  });

  it('clear() forgets everything', () => {
    const w = new SlidingWindow(1000, 10);
    w.record(10, true, true);
    w.clear();
    expect(w.expire(10)).toMatchObject({ calls: 0, failures: 0, slow: 0 });
    w.record(20, false, false);
    expect(w.calls).toBe(1);
  });
});
