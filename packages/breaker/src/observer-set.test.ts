/** Call observers (`CircuitBreaker.observeCalls`) and the ObserverSet behind them. */
import { describe, expect, it } from 'vitest';
import { ObserverSet } from './observer-set.js';
import { boom, make } from '../test/kit.js';

describe('CircuitBreaker.observeCalls', () => {
  it('sees every counted outcome once with its duration, and no event object', async () => {
    const { b, clock } = make({ timeout: 100 });
    const seen: [string, number][] = [];
    const events: string[] = [];
    b.on('fallback', () => events.push('fallback'));
    const off = b.observeCalls((outcome, durationMs) => seen.push([outcome, durationMs]));
    await b.execute(async () => {
      clock.advance(5);
      return 1;
    });
    await b.execute(boom, () => 0);
    const p = b.execute(
      () => new Promise<string>(() => {}),
      () => 'fb',
    );
    clock.advance(100);
    await p;
    // Neither a short-circuit nor a caller abort is a counted outcome.
    b.forceOpen();
    await b.execute(
      async () => 1,
      () => 0,
    );
    b.reset();
    const ac = new AbortController();
    const q = b.execute(() => new Promise<string>(() => {}), undefined, { signal: ac.signal });
    ac.abort();
    await q.catch(() => {});
    expect(seen).toEqual([
      ['success', 5],
      ['failure', 0],
      ['timeout', 100],
    ]);
    expect(events).toEqual(['fallback', 'fallback', 'fallback']);
    off();
    off();
    await b.execute(async () => 1);
    expect(seen).toHaveLength(3);
  });

  it('a call without a time limit is timed while observed', async () => {
    const { b, clock } = make({ timeout: false });
    const seen: [string, number][] = [];
    b.observeCalls((outcome, durationMs) => seen.push([outcome, durationMs]));
    await b.execute(async () => {
      clock.advance(7);
      return 1;
    });
    expect(seen).toEqual([['success', 7]]);
  });

  it('an observer that throws or rejects breaks nothing; every observer still runs', async () => {
    const { b } = make({ timeout: 100 });
    const a: string[] = [];
    const c: string[] = [];
    b.observeCalls(() => {
      throw new Error('observer bug');
    });
    b.observeCalls((o) => a.push(o));
    b.observeCalls(async () => Promise.reject(new Error('async observer bug')));
    b.observeCalls((o) => c.push(o));
    expect(await b.execute(async () => 'v')).toBe('v');
    await new Promise((r) => setImmediate(r));
    expect(a).toEqual(['success']);
    expect(c).toEqual(['success']);
    expect(() => b.observeCalls(42 as never)).toThrow('observer must be a function, got number');
  });
});

describe('ObserverSet', () => {
  it('is undefined while empty, the observer itself when alone, a guarded fan-out otherwise', () => {
    let changes = 0;
    const set = new ObserverSet<[number], string>('test observer', () => changes++);
    expect(set.current).toBeUndefined();
    const one = (n: number) => void n;
    const offOne = set.add(one, 'x');
    expect(set.current).toBe(one);
    const got: number[] = [];
    const offTwo = set.add((n) => got.push(n), 'y');
    set.current!(3);
    expect(got).toEqual([3]);
    expect(set.some((m) => m === 'y')).toBe(true);
    offTwo();
    offTwo();
    expect(set.current).toBe(one);
    expect(set.some((m) => m === 'y')).toBe(false);
    offOne();
    expect(set.current).toBeUndefined();
    expect(changes).toBe(4);
  });
});
