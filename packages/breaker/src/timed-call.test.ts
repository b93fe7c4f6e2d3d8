import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.js';
import { isTimeoutError } from './errors.js';
import { createFakeClock } from './testing/fake-clock.js';
import { deferred } from '../test/kit.js';

describe('timed calls (deadline, no signal): reused call objects', () => {
  it('a late result of a timed-out call never reaches a later call', async () => {
    const clock = createFakeClock();
    const b = new CircuitBreaker('t', { clock, timeout: 50, failureThreshold: 100 });
    // Fill the pool with settled calls.
    for (let i = 0; i < 5; i++) expect(await b.execute(async () => i)).toBe(i);
    const late = deferred<string>();
    const a = b.execute(
      () => late.promise,
      (r) => (isTimeoutError(r) ? 'timed out' : 'other'),
    );
    clock.advance(50);
    expect(await a).toBe('timed out');
    const next = deferred<string>();
    let settledWith: unknown = 'pending';
    const c = b.execute(() => next.promise).then((v) => (settledWith = v));
    late.resolve('late'); // must be ignored
    late.reject(new Error('late too'));
    await Promise.resolve();
    await Promise.resolve();
    expect(settledWith).toBe('pending');
    expect(b.getStats()).toMatchObject({ successCount: 5, failureCount: 1 });
    next.resolve('mine');
    await c;
    expect(settledWith).toBe('mine');
    expect(b.getStats()).toMatchObject({ successCount: 6, failureCount: 1 });
  });

  it('sync values, sync throws, rejections and fallbacks all settle their own call', async () => {
    const clock = createFakeClock();
    const b = new CircuitBreaker('t', { clock, timeout: 50, failureThreshold: 100 });
    const boom = new Error('boom');
    const results = await Promise.allSettled([
      b.execute(() => 1),
      b.execute(() => {
        throw boom;
      }),
      b.execute(async () => 3),
      b.execute(
        async () => {
          throw boom;
        },
        () => 'fb',
      ),
      b.execute(() => Promise.reject(boom)),
      b.execute(() => 6),
    ]);
    expect(results).toEqual([
      { status: 'fulfilled', value: 1 },
      { status: 'rejected', reason: boom },
      { status: 'fulfilled', value: 3 },
      { status: 'fulfilled', value: 'fb' },
      { status: 'rejected', reason: boom },
      { status: 'fulfilled', value: 6 },
    ]);
    expect(b.getStats()).toMatchObject({ successCount: 3, failureCount: 3 });
    expect(clock.pendingTimers()).toBe(1); // one timer for all of them, never per call
    clock.advance(50);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('many concurrent calls, some timing out, each settle exactly once with their own outcome', async () => {
    const clock = createFakeClock();
    const b = new CircuitBreaker('t', { clock, timeout: 50, failureThreshold: 1000 });
    const ops = Array.from({ length: 100 }, () => deferred<number>());
    const calls = ops.map((d, i) =>
      b.execute(
        () => d.promise,
        () => -i,
      ),
    );
    ops.forEach((d, i) => {
      if (i % 3 !== 0) d.resolve(i);
    });
    await Promise.resolve();
    clock.advance(50);
    ops.forEach((d, i) => d.resolve(1000 + i)); // late for every third
    const values = await Promise.all(calls);
    expect(values).toEqual(ops.map((_, i) => (i % 3 === 0 ? -i : i)));
    expect(b.getStats()).toMatchObject({ successCount: 66, failureCount: 34 });
  });
});

describe('timed calls: ops returning misbehaving promises', () => {
  it('a Promise subclass whose then calls back twice cannot settle a later call', async () => {
    const clock = createFakeClock();
    const b = new CircuitBreaker('t', { clock, timeout: 50, failureThreshold: 100 });
    const handlers: Array<(v: unknown) => unknown> = [];
    class Twice<T> extends Promise<T> {
      override then<A = T, B = never>(
        ok?: ((v: T) => A | PromiseLike<A>) | null,
        ko?: ((e: unknown) => B | PromiseLike<B>) | null,
      ): Promise<A | B> {
        if (ok) handlers.push(ok as (v: unknown) => unknown);
        return super.then(ok, ko);
      }
    }
    expect(await b.execute(() => Twice.resolve('first'))).toBe('first');
    const next = deferred<string>();
    let settledWith: unknown = 'pending';
    const c = b.execute(() => next.promise).then((v) => (settledWith = v));
    for (const h of handlers) h('injected'); // a second, bogus callback
    await Promise.resolve();
    await Promise.resolve();
    expect(settledWith).toBe('pending');
    next.resolve('mine');
    await c;
    expect(settledWith).toBe('mine');
    expect(b.getStats().successCount).toBe(2);
  });
});
