import { describe, expect, it } from 'vitest';
import { constantBackoff } from './backoff.js';
import { retry } from './retry.js';
import { RetryBudget } from './retry-budget.js';
import { createFakeClock, type FakeClock } from './testing/fake-clock.js';

const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

function budget(opts: ConstructorParameters<typeof RetryBudget>[0] = {}): {
  b: RetryBudget;
  clock: FakeClock;
} {
  const clock = createFakeClock(0);
  return { b: new RetryBudget({ clock, ...opts }), clock };
}

describe('RetryBudget', () => {
  it('allows the reserve with no traffic, then refuses', () => {
    const { b } = budget({ minRetriesPerSecond: 2, window: 1000, retryRatio: 0.5 });
    expect([b.tryRetry(), b.tryRetry(), b.tryRetry()]).toEqual([true, true, false]);
    expect(b.getStats()).toMatchObject({ retriesAllowed: 2, retriesRefused: 1, available: 0 });
  });

  it('deposits retryRatio per request: one retry for every five requests at 0.2', () => {
    const { b } = budget({ minRetriesPerSecond: 0, retryRatio: 0.2 });
    for (let i = 0; i < 4; i++) b.recordRequest();
    expect(b.tryRetry()).toBe(false);
    b.recordRequest();
    expect(b.tryRetry()).toBe(true);
    expect(b.tryRetry()).toBe(false);
    for (let i = 0; i < 10; i++) b.recordRequest();
    expect(b.getStats()).toMatchObject({ requests: 15, available: 2 });
  });

  it('forgets requests and retries once they leave the window', () => {
    const { b, clock } = budget({ minRetriesPerSecond: 0, retryRatio: 1, window: 1000 });
    b.recordRequest();
    expect(b.tryRetry()).toBe(true);
    expect(b.tryRetry()).toBe(false);
    clock.advance(1000);
    // Both the deposit and the withdrawal are gone: no tokens, no debt.
    expect(b.tryRetry()).toBe(false);
    b.recordRequest();
    expect(b.tryRetry()).toBe(true);
  });

  it('emits refused, and a throwing listener changes nothing', () => {
    const { b } = budget({ minRetriesPerSecond: 0 });
    let refused = 0;
    b.on('refused', () => refused++);
    b.on('refused', () => {
      throw new Error('listener');
    });
    expect(b.tryRetry()).toBe(false);
    expect(refused).toBe(1);
    expect(() => b.on('refuse' as never, () => {})).toThrow('Unknown retry budget event');
  });

  it('validates its options, naming them', () => {
    expect(() => new RetryBudget({ retryRatio: -0.1 })).toThrow(
      'retryRatio must be a number in [0, 10], got -0.1',
    );
    expect(() => new RetryBudget({ retryRatio: 11 })).toThrow(RangeError);
    expect(() => new RetryBudget({ minRetriesPerSecond: NaN })).toThrow(
      'minRetriesPerSecond must be a number, got NaN',
    );
    expect(() => new RetryBudget({ window: 0 })).toThrow('window must be a finite number');
    expect(() => new RetryBudget({ ratio: 1 } as never)).toThrow(
      'Unknown retry budget option "ratio"',
    );
    const opts = Object.freeze({ retryRatio: 0.5 });
    const b = new RetryBudget(opts);
    expect([b.name, b.retryRatio, b.minRetriesPerSecond, b.window]).toEqual([
      'retry-budget',
      0.5,
      10,
      10_000,
    ]);
  });
});

describe('retry() with a budget', () => {
  it('a refused retry ends the loop with the last error, unchanged', async () => {
    const clock = createFakeClock(0);
    const b = new RetryBudget({ clock, minRetriesPerSecond: 0, retryRatio: 1 });
    const errors: Error[] = [];
    const p = retry(
      (attempt) => {
        const e = new Error(`fail ${attempt}`);
        errors.push(e);
        throw e;
      },
      { attempts: 5, backoff: constantBackoff(10), timers: clock, budget: b },
    );
    const settled = p.catch((e: unknown) => e);
    await flush();
    clock.advance(10);
    await flush();
    // One request deposited one token: one retry, then refused.
    expect(await settled).toBe(errors[1]);
    expect(errors).toHaveLength(2);
    expect(b.getStats()).toMatchObject({ requests: 1, retriesAllowed: 1, retriesRefused: 1 });
  });

  it('rejects a budget that is not one', async () => {
    await expect(retry(() => 1, { budget: {} as never })).rejects.toThrow(
      'retry: budget must be a RetryBudget, got an object',
    );
  });

  /**
   * The point of a budget: a dependency failing 100 % under steady load (100 requests/s for
   * 60 s, each wrapped in retry() with 3 attempts). Without a budget every request reaches it 3
   * times; with the default budget (20 % of requests + 10 retries/s) retries are capped.
   */
  it('caps the calls reaching a 100 %-failing dependency under steady load', async () => {
    const run = async (withBudget: boolean): Promise<number> => {
      const clock = createFakeClock(0);
      const b = withBudget ? new RetryBudget({ clock }) : undefined;
      let calls = 0;
      const failing = (): never => {
        calls++;
        throw new Error('down');
      };
      const all: Promise<unknown>[] = [];
      for (let t = 0; t < 60_000; t += 10) {
        all.push(
          retry(failing, {
            attempts: 3,
            backoff: constantBackoff(5),
            timers: clock,
            ...(b ? { budget: b } : {}),
          }).catch(() => undefined),
        );
        await flush();
        clock.advance(5);
        await flush();
        clock.advance(5);
        await flush();
      }
      await Promise.all(all);
      return calls;
    };
    const without = await run(false);
    const withBudget = await run(true);
    // 6000 requests: 3 executions each without a budget.
    expect(without).toBe(18_000);
    // With it: 6000 first executions + retries <= 20 % of 6000 + 10/s × 60 s (+ the reserve
    // of the first window, which is not yet offset by anything).
    expect(withBudget).toBeGreaterThanOrEqual(6000 + 1200);
    expect(withBudget).toBeLessThanOrEqual(6000 + 1200 + 600 + 100);
  });
});
