import { describe, expect, it } from 'vitest';
import { deferred } from '../test/kit.js';
import { Bulkhead } from './bulkhead.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { BulkheadRejectedError, isBulkheadRejectedError } from './errors.js';
import { createFakeClock } from './testing/fake-clock.js';

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

function make(maxConcurrent: number, maxQueued: number, queueTimeout: number | false = 1000) {
  const clock = createFakeClock(5_000);
  const b = new Bulkhead({ name: 'db', maxConcurrent, maxQueued, queueTimeout, clock });
  return { b, clock };
}

describe('Bulkhead', () => {
  it('runs up to maxConcurrent at once and settles as the op does', async () => {
    const { b } = make(2, 0);
    const d1 = deferred();
    const d2 = deferred();
    const p1 = b.execute(() => d1.promise);
    const p2 = b.execute(() => d2.promise);
    expect(b.running).toBe(2);
    d1.resolve('one');
    d2.reject(new Error('two'));
    await expect(p1).resolves.toBe('one');
    await expect(p2).rejects.toThrow('two');
    expect(b.running).toBe(0);
  });

  it('turns a call away with reason full when slots and queue are taken', async () => {
    const { b } = make(1, 1);
    const rejected: string[] = [];
    b.on('rejected', (e) => rejected.push(e.reason));
    const d = deferred();
    void b.execute(() => d.promise);
    void b.execute(() => 'queued');
    const error = await b.execute(() => 'never').catch((e: unknown) => e);
    expect(isBulkheadRejectedError(error)).toBe(true);
    expect(error).toBeInstanceOf(BulkheadRejectedError);
    expect(error).toMatchObject({
      name: 'BulkheadRejectedError',
      reason: 'full',
      bulkheadName: 'db',
    });
    expect(rejected).toEqual(['full']);
    // The fallback gets the error instead.
    const viaFallback = await b.execute(
      () => 'never',
      (reason) => (isBulkheadRejectedError(reason) ? reason.reason : 'other'),
    );
    expect(viaFallback).toBe('full');
    d.resolve('x');
  });

  it('queues in FIFO order and starts the oldest waiter when a slot frees', async () => {
    const { b } = make(1, 3);
    const order: number[] = [];
    const d = deferred();
    const first = b.execute(() => d.promise);
    const waiters = [1, 2, 3].map((n) => b.execute(() => order.push(n)));
    expect(b.queued).toBe(3);
    expect(order).toEqual([]);
    d.resolve('done');
    await first;
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3]);
    expect(b.running).toBe(0);
    expect(b.queued).toBe(0);
  });

  it('a call made from a listener while the queue drains never exceeds maxConcurrent or jumps the queue', async () => {
    const { b } = make(1, 5);
    const order: string[] = [];
    let peak = 0;
    const track = (name: string) => async (): Promise<void> => {
      peak = Math.max(peak, b.running);
      order.push(name);
      await Promise.resolve();
    };
    const d = deferred();
    void b.execute(() => d.promise);
    const a = b.execute(track('a'));
    const c = b.execute(track('c'));
    const late: Promise<void>[] = [];
    b.on('dequeued', () => {
      if (late.length === 0) late.push(b.execute(track('late')));
    });
    d.resolve('x');
    await Promise.all([a, c]);
    await Promise.all(late);
    expect(order).toEqual(['a', 'c', 'late']);
    expect(peak).toBe(1);
  });

  it('rejects a queued call with queue-timeout when its timeout passes, and it leaves the queue', async () => {
    const { b, clock } = make(1, 2, 100);
    const d = deferred();
    void b.execute(() => d.promise);
    let ran = false;
    const waiter = b.execute(() => {
      ran = true;
    });
    const result = waiter.catch((e: unknown) => e);
    clock.advance(99);
    expect(b.queued).toBe(1);
    clock.advance(1);
    expect(b.queued).toBe(0);
    expect(await result).toMatchObject({ reason: 'queue-timeout' });
    d.resolve('x');
    await flush();
    expect(ran).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('falls back on queue-timeout, and keeps one timer for the whole queue', async () => {
    const { b, clock } = make(1, 10, 50);
    const d = deferred();
    void b.execute(() => d.promise);
    const waiters = Array.from({ length: 10 }, () =>
      b.execute(
        () => 'ran',
        () => 'fallback',
      ),
    );
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(50);
    expect(await Promise.all(waiters)).toEqual(Array(10).fill('fallback'));
    d.resolve('x');
  });

  it('an abort while queued leaves the queue at once and frees the place', async () => {
    const { b } = make(1, 1, false);
    const d = deferred();
    void b.execute(() => d.promise);
    const ac = new AbortController();
    const abandoned: number[] = [];
    b.on('abandoned', (e) => abandoned.push(e.waitedMs));
    const waiter = b.execute(
      () => 'ran',
      () => 'fallback',
      { signal: ac.signal },
    );
    expect(b.queued).toBe(1);
    ac.abort(new Error('caller gave up'));
    expect(b.queued).toBe(0);
    await expect(waiter).rejects.toThrow('caller gave up');
    expect(abandoned).toEqual([0]);
    // Its queue place is free for the next caller.
    const next = b.execute(() => 'next');
    d.resolve('x');
    await expect(next).resolves.toBe('next');
  });

  it('passes the caller signal to the op and removes the listener when the call starts', async () => {
    const { b } = make(1, 1);
    const ac = new AbortController();
    const d = deferred();
    void b.execute(() => d.promise);
    let seen: AbortSignal | undefined;
    const waiter = b.execute((s) => (seen = s), undefined, { signal: ac.signal });
    d.resolve('x');
    await waiter;
    expect(seen).toBe(ac.signal);
    ac.abort(); // after the start: nothing happens to the bulkhead
    expect(b.running).toBe(0);
  });

  it('an already-aborted signal rejects without running', async () => {
    const { b } = make(1, 0);
    const ac = new AbortController();
    ac.abort(new Error('early'));
    let ran = false;
    await expect(b.execute(() => (ran = true), undefined, { signal: ac.signal })).rejects.toThrow(
      'early',
    );
    expect(ran).toBe(false);
    expect(b.running).toBe(0);
  });

  it('releases the slot on a sync throw and a sync value, and drains many sync ops without recursion', async () => {
    const { b } = make(1, 100_000, false);
    await expect(
      b.execute(() => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    expect(b.running).toBe(0);
    const d = deferred();
    void b.execute(() => d.promise);
    const many = Array.from({ length: 100_000 }, (_, i) => b.execute(() => i));
    d.resolve('x');
    const values = await Promise.all(many);
    expect(values[99_999]).toBe(99_999);
    expect(b.running).toBe(0);
  });

  it('emits queued and dequeued with the queue length and the wait', async () => {
    const { b, clock } = make(1, 2);
    const seen: string[] = [];
    b.on('queued', (e) => seen.push(`queued ${e.queued}`));
    b.on('dequeued', (e) => seen.push(`dequeued ${e.waitedMs}`));
    const d = deferred();
    void b.execute(() => d.promise);
    const w = b.execute(() => 'w');
    clock.advance(30);
    d.resolve('x');
    await w;
    expect(seen).toEqual(['queued 1', 'dequeued 30']);
  });

  it('a listener that throws changes nothing', async () => {
    const { b } = make(1, 0);
    b.on('rejected', () => {
      throw new Error('listener');
    });
    const d = deferred();
    void b.execute(() => d.promise);
    await expect(
      b.execute(
        () => 1,
        () => 'fb',
      ),
    ).resolves.toBe('fb');
    d.resolve('x');
  });

  it('rejects bad arguments without taking a slot', async () => {
    const { b } = make(1, 0);
    await expect(b.execute('nope' as never)).rejects.toThrow(TypeError);
    await expect(b.execute(() => 1, 5 as never)).rejects.toThrow('fallback must be a function');
    await expect(b.execute(() => 1, undefined, { timeout: 5 } as never)).rejects.toThrow(
      'Unknown bulkhead execute option "timeout"',
    );
    await expect(b.execute(() => 1, undefined, { signal: {} as never })).rejects.toThrow(
      'signal must be an AbortSignal',
    );
    expect(b.running).toBe(0);
    expect(() => b.on('rejcted' as never, () => {})).toThrow('Unknown bulkhead event "rejcted"');
  });
});

describe('Bulkhead options', () => {
  it('validates each option once, naming it', () => {
    expect(() => new Bulkhead({ maxConcurrent: 0 })).toThrow(
      'maxConcurrent must be an integer >= 1, got 0',
    );
    expect(() => new Bulkhead({ maxQueued: -1 })).toThrow(
      'maxQueued must be an integer >= 0, got -1',
    );
    expect(() => new Bulkhead({ queueTimeout: 0 })).toThrow(
      'queueTimeout must be a finite number of milliseconds > 0, got 0',
    );
    expect(() => new Bulkhead({ maxQueued: null as never })).toThrow(TypeError);
    expect(() => new Bulkhead({ maxQueue: 5 } as never)).toThrow(
      'Unknown bulkhead option "maxQueue"',
    );
    expect(() => new Bulkhead({ clock: {} as never })).toThrow('clock must be an object');
    expect(() => new Bulkhead({ name: '' })).toThrow('name must be 1 to 200 characters');
  });

  it('applies the defaults and never mutates the options', () => {
    const opts = Object.freeze({ maxQueued: 3 });
    const b = new Bulkhead(opts);
    expect([b.name, b.maxConcurrent, b.maxQueued, b.queueTimeout]).toEqual([
      'bulkhead',
      10,
      3,
      1000,
    ]);
  });
});

describe('Bulkhead with a circuit breaker', () => {
  it('a rejection never counts as a dependency failure, in either order', async () => {
    const clock = createFakeClock(0);
    const breaker = new CircuitBreaker('dep', { failureThreshold: 1, clock });
    const b = new Bulkhead({ maxConcurrent: 1, maxQueued: 0, clock });
    const d = deferred();
    void b.execute(() => breaker.execute(() => d.promise));
    // Outside the breaker: the rejection never reaches it.
    await expect(b.execute(() => breaker.execute(() => 1))).rejects.toMatchObject({
      reason: 'full',
    });
    // Inside it: the breaker sees the BulkheadRejectedError and does not count it.
    await expect(
      breaker.execute(
        () => b.execute(() => 1),
        () => 'fb',
      ),
    ).rejects.toMatchObject({
      reason: 'full',
    });
    expect(breaker.state).toBe('closed');
    expect(breaker.getStats().failureCount).toBe(0);
    d.resolve('x');
  });
});
