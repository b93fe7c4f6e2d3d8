/** CircuitBreaker unit tests: The trip rule and the sliding window (closed → open). */
import { describe, expect, it } from 'vitest';
import { boom, ok, make, fail } from '../test/kit.js';

describe('CircuitBreaker: closed → open', () => {
  it('3 failures in a row open a threshold-3 breaker', async () => {
    const { b } = make();
    await fail(b, 2);
    expect(b.state).toBe('closed');
    await fail(b, 1);
    expect(b.state).toBe('open');
  });

  it('without a fallback the op rejection is passed through unchanged and counted before the caller resumes', async () => {
    const { b } = make();
    const err = new Error('down');
    const op = async (): Promise<string> => {
      throw err;
    };
    for (let i = 0; i < 3; i++) await expect(b.execute(op)).rejects.toBe(err);
    expect(b.state).toBe('open');
    // thenables that are not native promises work too
    const c = make().b;
    const thenable = {
      then: (res: (v: string) => void) => res('t'),
    } as unknown as PromiseLike<string>;
    expect(await c.execute(() => thenable)).toBe('t');
    expect(c.getStats().successCount).toBe(1);
  });

  it('1% failures over 1000 calls never trips', async () => {
    const { b, clock } = make({ failureRateThreshold: 0.05, monitoringWindow: 60_000 });
    for (let i = 0; i < 1000; i++) {
      if (i % 100 === 99) await b.execute(boom, () => 'fb');
      else await b.execute(ok);
      clock.advance(10);
    }
    expect(b.state).toBe('closed');
    expect(b.getStats().failureCount).toBe(10);
  });

  it('nine failures, an hour of silence, one failure: stays closed', async () => {
    const { b, clock } = make({ failureThreshold: 10, failureRateThreshold: 0 });
    await fail(b, 9);
    clock.advance(3_600_000);
    await fail(b, 1);
    expect(b.state).toBe('closed');
    expect(b.getStats().failureCount).toBe(1);
  });

  it('failures older than the window expire', async () => {
    const { b, clock } = make();
    await fail(b, 2);
    clock.advance(10_000);
    await fail(b, 1);
    expect(b.state).toBe('closed');
    await fail(b, 2);
    expect(b.state).toBe('open');
  });

  it('short-circuited calls never enter the denominator', async () => {
    const { b, clock } = make({ failureRateThreshold: 0.5 });
    await fail(b, 3);
    for (let i = 0; i < 100; i++) await b.execute(ok, () => 'fb');
    clock.advance(1000);
    await b.execute(ok); // trial success closes
    expect(b.state).toBe('closed');
    await fail(b, 3);
    expect(b.state).toBe('open');
  });

  it('slow-call rule opens on slow successes', async () => {
    const { b, clock } = make({ slowCallDuration: 100, slowCallRateThreshold: 0.5 });
    const slow = async (): Promise<string> => {
      clock.advance(150);
      return 'slow';
    };
    const events: string[] = [];
    b.on('stateChange', (e) => events.push(e.reason));
    await b.execute(slow);
    await b.execute(slow);
    expect(b.state).toBe('closed'); // fewer than failureThreshold calls
    await b.execute(slow);
    expect(b.state).toBe('open');
    expect(events).toEqual(['slow-call-threshold']);
    expect(b.getStats().slowCallCount).toBe(3); // the window is kept while open
  });
});
