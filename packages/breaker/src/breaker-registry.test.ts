import { describe, expect, it } from 'vitest';
import { BreakerRegistry } from './breaker-registry.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { createFakeClock, type FakeClock } from './testing/fake-clock.js';
import type { BreakerRegistryOptions } from './breaker-registry-options.js';
import type { CircuitBreakerSnapshot } from './types.js';

function make(opts: BreakerRegistryOptions = {}): {
  r: BreakerRegistry;
  clock: FakeClock;
  created: Array<[string, CircuitBreakerSnapshot | undefined]>;
} {
  const clock = createFakeClock(0);
  const created: Array<[string, CircuitBreakerSnapshot | undefined]> = [];
  const r = new BreakerRegistry(
    (key, initialState) => {
      created.push([key, initialState]);
      return new CircuitBreaker(`host:${key}`, {
        clock,
        failureThreshold: 1,
        resetTimeout: 10_000,
        initialState,
      });
    },
    { clock, ...opts },
  );
  return { r, clock, created };
}

const trip = async (b: CircuitBreaker): Promise<void> => {
  await b.execute(
    () => {
      throw new Error('down');
    },
    () => null,
  );
  expect(b.state).toBe('open');
};

describe('BreakerRegistry', () => {
  it('creates one breaker per key on first use and returns the same one after', () => {
    const { r, created } = make();
    const a = r.get('a');
    expect(r.get('a')).toBe(a);
    expect(r.get('b')).not.toBe(a);
    expect(created.map(([k]) => k)).toEqual(['a', 'b']);
    expect(r.size).toBe(2);
    expect(r.peek('c')).toBeUndefined();
    expect(r.size).toBe(2);
  });

  it('never holds more than maxKeys: the least recently used goes first', () => {
    const { r } = make({ maxKeys: 2 });
    const evicted: string[] = [];
    r.on('evicted', (e) => evicted.push(`${e.key}:${e.reason}`));
    r.get('a');
    r.get('b');
    r.get('a'); // a is now the most recent
    r.get('c');
    expect([...r.entries()].map(([k]) => k)).toEqual(['a', 'c']);
    expect(evicted).toEqual(['b:lru']);
    for (let i = 0; i < 1000; i++) r.get(`k${i}`);
    expect(r.size).toBe(2);
    expect(r.getStats().evictions).toBe(1001);
  });

  it('evicts breakers idle for idleTtl, lazily, without a timer', () => {
    const { r, clock } = make({ idleTtl: 1000 });
    r.get('old');
    clock.advance(600);
    r.get('young');
    clock.advance(400);
    expect(clock.pendingTimers()).toBe(0);
    r.get('young'); // a use sweeps: 'old' has been idle 1000 ms
    expect(r.peek('old')).toBeUndefined();
    expect(r.peek('young')).toBeDefined();
    clock.advance(999);
    r.get('other');
    expect(r.peek('young')).toBeDefined();
  });

  it('an evicted open breaker is not forgotten while its open period lasts', async () => {
    const { r, clock, created } = make({ maxKeys: 1 });
    await trip(r.get('db'));
    clock.advance(4000);
    r.get('other'); // evicts the open 'db' breaker
    expect(r.getStats().remembered).toBe(1);
    clock.advance(1000);
    const again = r.get('db');
    expect(again.state).toBe('open');
    expect(created.at(-1)![1]).toMatchObject({ state: 'open', openRemainingMs: 5000 });
    // It opens for exactly what was left: a trial is admitted at 10 s after the trip.
    await expect(again.execute(() => 'x')).rejects.toThrow('is open');
    clock.advance(5000);
    await expect(again.execute(() => 'x')).resolves.toBe('x');
  });

  it('forgets an evicted open breaker once its open period is over, and never remembers a closed one', async () => {
    const { r, clock, created } = make({ maxKeys: 1 });
    await trip(r.get('db'));
    r.get('other');
    clock.advance(10_000);
    expect(r.get('db').state).toBe('closed');
    expect(created.at(-1)![1]).toBeUndefined();
    r.get('other'); // evicts the closed 'db'
    expect(r.getStats().remembered).toBe(0);
  });

  it('delete() and retain() forget for good', async () => {
    const { r } = make({ maxKeys: 1 });
    await trip(r.get('a'));
    r.get('b'); // a remembered
    expect(r.retain(['b'])).toEqual([]);
    expect(r.get('a').state).toBe('closed');
    expect(r.delete('a')).toBe(true);
    expect(r.delete('a')).toBe(false);
  });

  it('emits created with restored, and a throwing listener changes nothing', async () => {
    const { r } = make({ maxKeys: 1 });
    const seen: string[] = [];
    r.on('created', (e) => seen.push(`${e.key}:${e.restored}`));
    r.on('created', () => {
      throw new Error('listener');
    });
    await trip(r.get('a'));
    r.get('b');
    r.get('a');
    expect(seen).toEqual(['a:false', 'b:false', 'a:true']);
  });

  it('validates its arguments, naming them', () => {
    expect(() => new BreakerRegistry('x' as never)).toThrow('factory must be a function');
    expect(() => new BreakerRegistry(() => new CircuitBreaker('x'), { maxKeys: 0 })).toThrow(
      'maxKeys must be an integer >= 1, got 0',
    );
    expect(() => new BreakerRegistry(() => new CircuitBreaker('x'), { idleTtl: -1 })).toThrow(
      'idleTtl must be a finite number of milliseconds > 0, got -1',
    );
    expect(() => new BreakerRegistry(() => new CircuitBreaker('x'), { max: 1 } as never)).toThrow(
      'Unknown breaker registry option "max"',
    );
    const bad = new BreakerRegistry(() => ({}) as never);
    expect(() => bad.get('a')).toThrow('factory must return a CircuitBreaker');
    expect(bad.size).toBe(0);
    expect(() => bad.get(5 as never)).toThrow('key must be a string, got 5');
  });
});
