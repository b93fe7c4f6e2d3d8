/** The drill's building blocks: plan parsing, percentiles, the load generator's cap. */
import { describe, expect, it, vi } from 'vitest';
import { FULL_PLAN, SHORT_PLAN, parsePlan, planDuration } from '../demo/drill-plan.js';
import { LoadGenerator } from '../demo/load-generator.js';
import { percentile, summarize, timeline } from '../demo/stats.js';

describe('drill plans', () => {
  it('the full drill stays under a minute and the short one under 20 s', () => {
    expect(planDuration(FULL_PLAN)).toBeLessThan(60_000);
    expect(planDuration(SHORT_PLAN)).toBeLessThanOrEqual(18_000);
    for (const plan of [FULL_PLAN, SHORT_PLAN]) {
      expect(plan.map((p) => p.kind)).toEqual([
        'baseline',
        'idle-reaping',
        'kill',
        'freeze',
        'slow',
        'recovery',
      ]);
    }
  });

  it('parses kind:duration/fault and rejects bad parts by name', () => {
    expect(parsePlan('baseline:1000, kill:5000/2000')).toEqual([
      { kind: 'baseline', durationMs: 1000, faultMs: 0 },
      { kind: 'kill', durationMs: 5000, faultMs: 2000 },
    ]);
    expect(() => parsePlan('explode:1000')).toThrow(/kind must be one of .* got "explode"/);
    expect(() => parsePlan('kill:abc')).toThrow(RangeError);
    expect(() => parsePlan('kill:1000/2000')).toThrow(/must not exceed/);
    expect(() => parsePlan('')).toThrow(/at least one phase/);
  });
});

describe('stats', () => {
  it('nearest-rank percentiles and outcome counts', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile([], 99)).toBe(0);
    const s = summarize([
      { start: 0, end: 1, ms: 1, outcome: 'ok' },
      { start: 0, end: 5, ms: 5, outcome: 'degraded' },
      { start: 0, end: 9, ms: 9, outcome: 'error' },
      { start: 10, end: 3010, ms: 3000, outcome: 'hung' },
    ]);
    expect(s).toMatchObject({ requests: 4, ok: 1, degraded: 1, errors: 1, hung: 1, max: 3000 });
    const buckets = timeline([{ start: 10, end: 3010, ms: 3000, outcome: 'hung' }], 0, 2000, 1000);
    expect(buckets.map((b) => b.summary.requests)).toEqual([1, 0]);
  });
});

describe('load generator', () => {
  it('records requests that outlive the cap as hung and frees their slot', async () => {
    vi.useFakeTimers();
    try {
      const never = new Promise<never>(() => undefined);
      const gen = new LoadGenerator({
        rate: 1000,
        concurrency: 5,
        capMs: 30,
        now: () => Date.now(),
        request: () => never,
      });
      gen.start();
      await vi.advanceTimersByTimeAsync(100);
      const stopped = gen.stop();
      await vi.advanceTimersByTimeAsync(30);
      await stopped;
      // 5 in flight at a time, each released by its 30 ms cap: about 100 / 30 × 5 requests.
      expect(gen.samples.length).toBeGreaterThanOrEqual(15);
      expect(gen.samples.length).toBeLessThanOrEqual(25);
      expect(gen.samples.every((s) => s.outcome === 'hung' && s.ms === 30)).toBe(true);
      expect(gen.skipped).toBeGreaterThan(50); // the concurrency cap held
    } finally {
      vi.useRealTimers();
    }
    expect(
      () =>
        new LoadGenerator({
          rate: 0,
          concurrency: 1,
          capMs: 1,
          now: () => 0,
          request: async () => 'ok',
        }),
    ).toThrow(/rate must be a positive number, got 0/);
  });
});
