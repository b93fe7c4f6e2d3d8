/** CircuitBreaker unit tests: executeCall(), the call-object form of execute(). */
import { describe, expect, it } from 'vitest';
import type { BreakerCall } from './breaker-call.js';
import { Bulkhead } from './bulkhead.js';
import { isBrokenCircuitError, isBulkheadRejectedError, isTimeoutError } from './errors.js';
import { deferred, make } from '../test/kit.js';

class DataError extends Error {}

/** A call object that records what the breaker told it. */
class Call implements BreakerCall<string, string> {
  readonly fallbacks: unknown[] = [];
  readonly ignoredErrors: unknown[] = [];
  readonly signals: AbortSignal[] = [];
  constructor(
    private readonly op: (signal: AbortSignal) => string | Promise<string>,
    readonly observesSignal = false,
  ) {}
  run(signal: AbortSignal): string | Promise<string> {
    this.signals.push(signal);
    return this.op(signal);
  }
  fallback(reason: unknown): string {
    this.fallbacks.push(reason);
    return 'fb';
  }
  ignored(error: unknown): void {
    this.ignoredErrors.push(error);
  }
}

const notData = { isFailure: (e: unknown) => !(e instanceof DataError) };

describe('CircuitBreaker.executeCall', () => {
  it('runs the call and resolves with its value; a failure goes to its fallback method', async () => {
    const { b } = make({ timeout: 100 });
    const good = new Call(async () => 'v');
    expect(await b.executeCall(good)).toBe('v');
    expect(good.fallbacks).toEqual([]);
    const bad = new Call(() => Promise.reject(new Error('down')));
    expect(await b.executeCall(bad)).toBe('fb');
    expect(bad.fallbacks).toEqual([new Error('down')]);
    expect(b.getStats()).toMatchObject({ successCount: 1, failureCount: 1 });
  });

  it('tells ignored() about an error the breaker does not count, then rejects with it', async () => {
    for (const timeout of [100, false] as const) {
      const { b } = make({ ...notData, timeout });
      const error = new DataError('WRONGTYPE');
      const call = new Call(() => Promise.reject(error));
      await expect(b.executeCall(call)).rejects.toBe(error);
      expect(call.ignoredErrors).toEqual([error]);
      expect(call.fallbacks).toEqual([]);
      expect(b.getStats().failureCount).toBe(0);
    }
  });

  it('never calls ignored() for counted failures, timeouts or rejections', async () => {
    const { b, clock } = make({ ...notData, timeout: 100, failureThreshold: 1 });
    const hung = new Call(() => new Promise<string>(() => {}));
    const p = b.executeCall(hung);
    clock.advance(100);
    expect(await p).toBe('fb');
    expect(isTimeoutError(hung.fallbacks[0])).toBe(true);
    const rejected = new Call(async () => 'never run');
    expect(await b.executeCall(rejected)).toBe('fb');
    expect(rejected.signals).toEqual([]);
    expect(isBrokenCircuitError(rejected.fallbacks[0])).toBe(true);
    expect([...hung.ignoredErrors, ...rejected.ignoredErrors]).toEqual([]);
  });

  it('an ignored() that throws does not change the outcome', async () => {
    const { b } = make({ ...notData, timeout: 100 });
    const error = new DataError('bad');
    const call = new Call(() => Promise.reject(error));
    call.ignored = () => {
      throw new Error('hook bug');
    };
    await expect(b.executeCall(call)).rejects.toBe(error);
  });

  it('an optional succeeded() hears about each success, before the caller resumes', async () => {
    for (const timeout of [100, false] as const) {
      const { b } = make({ timeout });
      const order: string[] = [];
      const call = Object.assign(new Call(async () => 'v'), {
        succeeded: () => order.push('succeeded'),
      });
      const failing = Object.assign(new Call(() => Promise.reject(new Error('down'))), {
        succeeded: () => order.push('wrong'),
      });
      await b.executeCall(call).then(() => order.push('caller'));
      await b.executeCall(failing);
      const throwing = Object.assign(new Call(async () => 'still v'), {
        succeeded: () => {
          throw new Error('hook bug');
        },
      });
      expect(await b.executeCall(throwing)).toBe('still v');
      expect(order).toEqual(['succeeded', 'caller']);
    }
  });

  it('aborts the signal at the deadline only when the call observes it', async () => {
    const { b, clock } = make({ timeout: 100 });
    const observing = new Call(() => new Promise<string>(() => {}), true);
    const blind = new Call(() => new Promise<string>(() => {}), false);
    const p1 = b.executeCall(observing);
    const p2 = b.executeCall(blind);
    clock.advance(100);
    expect([await p1, await p2]).toEqual(['fb', 'fb']);
    expect(observing.signals[0]!.aborted).toBe(true);
    expect(blind.signals[0]!.aborted).toBe(false);
  });

  it('honours per-call options: timeout and the caller signal', async () => {
    const { b, clock } = make({ timeout: 10_000 });
    const slow = new Call(() => new Promise<string>(() => {}));
    const p = b.executeCall(slow, { timeout: 50 });
    clock.advance(50);
    expect(await p).toBe('fb');
    const controller = new AbortController();
    const d = deferred();
    const aborted = b.executeCall(new Call(() => d.promise), { signal: controller.signal });
    controller.abort(new Error('caller gave up'));
    await expect(aborted).rejects.toThrow('caller gave up');
  });

  it('a call started from inside another call runs its own op', async () => {
    const { b } = make({ timeout: 100 });
    const inner = new Call(async () => 'inner');
    const outer = new Call(async () => `outer+${await b.executeCall(inner)}`);
    expect(await b.executeCall(outer)).toBe('outer+inner');
  });

  it('a call started while admitting another (a stateChange listener) leaves the first its own op', async () => {
    for (const timeout of [100, false] as const) {
      const { b, clock } = make({ timeout, failureThreshold: 1, halfOpenMaxAttempts: 2 });
      const { b: other } = make({ timeout });
      await b.execute(
        () => Promise.reject(new Error('down')),
        () => 'fb',
      );
      clock.advance(1000);
      const inner: Promise<string>[] = [];
      b.on('stateChange', ({ to }) => {
        if (to !== 'half-open') return;
        inner.push(other.executeCall(new Call(async () => 'inner, other')));
        inner.push(b.executeCall(new Call(async () => 'inner, same')));
      });
      const trial = new Call(async () => 'trial');
      expect(await b.executeCall(trial)).toBe('trial');
      expect(trial.fallbacks).toEqual([]);
      expect(await Promise.all(inner)).toEqual(['inner, other', 'inner, same']);
      expect(b.state).toBe('closed');
    }
  });

  it('a bulkhead inside the breaker turning a trial away: ignored() hears of it, the slot is freed', async () => {
    for (const timeout of [100, false] as const) {
      const { b, clock } = make({ timeout, failureThreshold: 1 });
      const bulkhead = new Bulkhead({ maxConcurrent: 1, maxQueued: 0, clock });
      const busy = deferred();
      void bulkhead.execute(() => busy.promise);
      await b.execute(
        () => Promise.reject(new Error('down')),
        () => 'fb',
      );
      clock.advance(1000);
      const turnedAway = new Call(() => bulkhead.execute(async () => 'never'));
      turnedAway.ignored = () => {
        turnedAway.ignoredErrors.push('seen');
        throw new Error('hook bug');
      };
      const error = await b.executeCall(turnedAway).catch((e: unknown) => e);
      expect(isBulkheadRejectedError(error)).toBe(true);
      expect(turnedAway.ignoredErrors).toEqual(['seen']);
      expect(turnedAway.fallbacks).toEqual([]);
      expect(b.getStats()).toMatchObject({ state: 'half-open', halfOpenInFlight: 0 });
      expect(await b.executeCall(new Call(async () => 'trial'))).toBe('trial');
      expect(b.state).toBe('closed');
      busy.resolve('done');
    }
  });

  it('rejects a malformed call object with a TypeError naming what is missing', async () => {
    const { b } = make();
    for (const bad of [null, 42, { run: () => 1 }, { ...new Call(() => 'x'), observesSignal: 1 }]) {
      await expect(b.executeCall(bad as unknown as BreakerCall<string>)).rejects.toThrow(
        /executeCall: call must be an object with run\(\), fallback\(\) and ignored\(\)/,
      );
    }
    expect(b.getStats()).toMatchObject({ successCount: 0, failureCount: 0 });
  });
});
