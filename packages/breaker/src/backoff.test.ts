import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EXPONENTIAL_BACKOFF_OPTIONS,
  constantBackoff,
  exponentialBackoff,
  type Backoff,
  type ExponentialBackoffOptions,
} from './backoff.js';

/** mulberry32: a small seeded PRNG with output in [0, 1). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const N = 5000;
function samples(b: Backoff, attempt: number): number[] {
  return Array.from({ length: N }, () => b.delay(attempt));
}
/** Asserts that samples fill [lo, hi): every one inside, and each tenth of the range hit. */
function expectFills(xs: number[], lo: number, hi: number): void {
  for (const x of xs) {
    expect(x).toBeGreaterThanOrEqual(lo);
    expect(x).toBeLessThan(hi);
  }
  const deciles = new Array<number>(10).fill(0);
  for (const x of xs) deciles[Math.floor(((x - lo) / (hi - lo)) * 10)]! += 1;
  // Uniform: each decile expects N/10 = 500; allow a wide margin (seeded, so deterministic).
  for (const c of deciles) {
    expect(c).toBeGreaterThan(400);
    expect(c).toBeLessThan(600);
  }
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  // The standard error of the mean is (hi-lo)/sqrt(12·N) ≈ 0.4 % of the range.
  expect(Math.abs(mean - (lo + hi) / 2)).toBeLessThan((hi - lo) * 0.03);
}

const exp = (o: ExponentialBackoffOptions): Backoff =>
  exponentialBackoff({ initialDelay: 100, maxDelay: 10_000, random: seeded(42), ...o });

describe('constantBackoff', () => {
  it('returns the same delay for every attempt, however large', () => {
    const b = constantBackoff(250);
    expect([0, 1, 7, 1e6, Number.MAX_SAFE_INTEGER].map((n) => b.delay(n))).toEqual([
      250, 250, 250, 250, 250,
    ]);
    expect(constantBackoff(0).delay(3)).toBe(0);
  });

  it('rejects bad delays naming the value', () => {
    expect(() => constantBackoff(-1)).toThrow(
      new RangeError(
        'constantBackoff: delayMs must be a finite number of ms in [0, 2147483647], got -1',
      ),
    );
    expect(() => constantBackoff(NaN)).toThrow(/delayMs .* got NaN/);
    expect(() => constantBackoff(Infinity)).toThrow(RangeError);
    expect(() => constantBackoff('5' as unknown as number)).toThrow(
      new TypeError('constantBackoff: delayMs must be a number, got "5"'),
    );
  });
});

describe('exponentialBackoff: deterministic growth (jitter none)', () => {
  it('follows min(cap, base·factor^n)', () => {
    const b = exp({ jitter: 'none' });
    expect([0, 1, 2, 3, 6, 7, 8].map((n) => b.delay(n))).toEqual([
      100, 200, 400, 800, 6400, 10_000, 10_000,
    ]);
    const b3 = exp({ jitter: 'none', factor: 3, initialDelay: 10 });
    expect([0, 1, 2].map((n) => b3.delay(n))).toEqual([10, 30, 90]);
    expect(exp({ jitter: 'none', factor: 1 }).delay(50)).toBe(100);
  });

  it('stays finite at the cap for huge attempts (no Infinity, no NaN)', () => {
    for (const jitter of ['none', 'full', 'equal', 'decorrelated'] as const) {
      const b = exp({ jitter });
      for (const n of [1023, 1024, 1e6, Number.MAX_SAFE_INTEGER, Infinity]) {
        const d = b.delay(n, 10_000);
        expect(Number.isFinite(d)).toBe(true);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(10_000);
      }
    }
    expect(exp({ jitter: 'none' }).delay(1e6)).toBe(10_000);
    expect(exp({ jitter: 'none', factor: 1.0000001 }).delay(1e9)).toBe(10_000);
    // base 0: 0·Infinity would be NaN
    expect(exp({ jitter: 'none', initialDelay: 0 }).delay(1e6)).toBe(0);
  });

  it('rejects a negative or NaN attempt', () => {
    expect(() => exp({}).delay(-1)).toThrow(
      new RangeError('Backoff.delay: attempt must be a number >= 0, got -1'),
    );
    expect(() => exp({}).delay(NaN)).toThrow(RangeError);
  });
});

describe('exponentialBackoff: jitter distributions (seeded)', () => {
  it('full jitter fills [0, t)', () => {
    expectFills(samples(exp({ jitter: 'full' }), 3), 0, 800);
  });

  it('equal jitter fills [t/2, t)', () => {
    expectFills(samples(exp({ jitter: 'equal' }), 3), 400, 800);
  });

  it('applies the cap BEFORE the jitter: at the cap, full and equal jitter still spread', () => {
    expectFills(samples(exp({ jitter: 'full' }), 40), 0, 10_000);
    expectFills(samples(exp({ jitter: 'equal' }), 1e6), 5000, 10_000);
  });

  it('decorrelated jitter samples rand(base, previous·3), capped', () => {
    const b = exp({ jitter: 'decorrelated' });
    expectFills(
      Array.from({ length: N }, () => b.delay(5, 1000)),
      100,
      3000,
    );
    // previous defaults to base: the first retry is in [base, 3·base)
    expectFills(
      Array.from({ length: N }, () => b.delay(0)),
      100,
      300,
    );
    // near the cap the min() applies after the random draw (AWS formula)
    const xs = Array.from({ length: N }, () => b.delay(9, 10_000));
    expect(Math.max(...xs)).toBe(10_000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(100);
    expect(xs.filter((x) => x === 10_000).length).toBeGreaterThan(N * 0.6); // P = 2/3
  });

  it('decorrelated jitter uses previous, not attempt', () => {
    const r = (): (() => number) => () => 0.5;
    const b = exponentialBackoff({
      initialDelay: 100,
      maxDelay: 10_000,
      jitter: 'decorrelated',
      random: r(),
    });
    expect(b.delay(0)).toBe(200); // 100 + (300 - 100)/2
    expect(b.delay(0, 1000)).toBe(1550); // 100 + (3000 - 100)/2
    expect(b.delay(7, 1000)).toBe(1550);
    // a chain driven by its own output grows and stays within [base, cap]
    let prev: number | undefined;
    const chain: number[] = [];
    for (let n = 0; n < 10; n++) chain.push((prev = b.delay(n, prev)));
    expect(chain.slice(0, 3)).toEqual([200, 350, 575]);
    expect(chain.at(-1)).toBe(10_000);
    // out-of-range previous is clamped into [base, cap]
    expect(b.delay(1, 0)).toBe(200);
    expect(b.delay(1, NaN)).toBe(200);
    expect(b.delay(1, Infinity)).toBe(10_000);
  });

  it('exact values with a fixed random', () => {
    const at = (jitter: ExponentialBackoffOptions['jitter'], r: number): number =>
      exponentialBackoff({ jitter, random: () => r }).delay(2);
    expect(at('full', 0)).toBe(0);
    expect(at('full', 0.25)).toBe(100);
    expect(at('equal', 0)).toBe(200);
    expect(at('equal', 0.5)).toBe(300);
    expect(at('none', 0.9)).toBe(400);
    // a misbehaving random is clamped to [0, 1]
    expect(at('full', -3)).toBe(0);
    expect(at('full', NaN)).toBe(0);
    expect(at('equal', 7)).toBe(400);
  });

  it('is stateless: the same object can be shared', () => {
    const b = exp({ jitter: 'none' });
    expect(b.delay(3)).toBe(b.delay(3));
  });
});

describe('exponentialBackoff: options', () => {
  it('has documented defaults: 100 ms, 30 s cap, factor 2, full jitter', () => {
    expect(DEFAULT_EXPONENTIAL_BACKOFF_OPTIONS).toMatchObject({
      initialDelay: 100,
      maxDelay: 30_000,
      factor: 2,
      jitter: 'full',
    });
    expect(Object.isFrozen(DEFAULT_EXPONENTIAL_BACKOFF_OPTIONS)).toBe(true);
    const b = exponentialBackoff({ random: () => 0.999999 });
    expect(b.delay(0)).toBeCloseTo(100, 2);
    expect(b.delay(20)).toBeCloseTo(30_000, 0);
  });

  it('does not mutate the options object', () => {
    const o = Object.freeze({ initialDelay: 5, jitter: 'none' as const });
    expect(exponentialBackoff(o).delay(1)).toBe(10);
    expect(o).toEqual({ initialDelay: 5, jitter: 'none' });
  });

  it.each([
    [
      { initialDelay: -1 },
      RangeError,
      'initialDelay must be a finite number of ms in [0, 2147483647], got -1',
    ],
    [
      { initialDelay: NaN },
      RangeError,
      'initialDelay must be a finite number of ms in [0, 2147483647], got NaN',
    ],
    [
      { maxDelay: Infinity },
      RangeError,
      'maxDelay must be a finite number of ms in [0, 2147483647], got Infinity',
    ],
    [
      { maxDelay: 2 ** 31 },
      RangeError,
      'maxDelay must be a finite number of ms in [0, 2147483647], got 2147483648',
    ],
    [
      { initialDelay: 500, maxDelay: 400 },
      RangeError,
      'maxDelay must be >= initialDelay (500), got 400',
    ],
    [{ factor: 0.5 }, RangeError, 'factor must be a finite number >= 1, got 0.5'],
    [{ factor: NaN }, RangeError, 'factor must be a finite number >= 1, got NaN'],
    [{ factor: '2' }, TypeError, 'factor must be a number, got "2"'],
    [
      { jitter: 'half' },
      RangeError,
      'jitter must be one of none, full, equal, decorrelated, got "half"',
    ],
    [{ random: 4 }, TypeError, 'random must be a function, got 4'],
    [{ maxDelayMs: 5 }, TypeError, 'unknown option "maxDelayMs"'],
  ])('rejects %o', (o, Err, msg) => {
    expect(() => exponentialBackoff(o as unknown as ExponentialBackoffOptions)).toThrow(
      new Err(`exponentialBackoff: ${msg}`),
    );
  });

  it('rejects a non-object', () => {
    expect(() => exponentialBackoff(null as unknown as ExponentialBackoffOptions)).toThrow(
      new TypeError('exponentialBackoff: options must be an object, got null'),
    );
  });

  it('accepts explicit undefined values as defaults', () => {
    expect(exponentialBackoff({ initialDelay: undefined, jitter: 'none' }).delay(0)).toBe(100);
  });
});
