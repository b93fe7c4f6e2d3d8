/** CircuitBreaker unit tests: Events, snapshots, construction and the README examples. */
import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.js';
import { createFakeClock } from './testing/fake-clock.js';
import { boom, ok, make, fail } from '../test/kit.js';

describe('CircuitBreaker: events', () => {
  it('emits every outcome with durations', async () => {
    const { b, clock } = make({ timeout: 100 });
    const log: string[] = [];
    for (const ev of [
      'stateChange',
      'success',
      'failure',
      'timeout',
      'rejected',
      'fallback',
      'ignored',
    ] as const) {
      b.on(ev, (e) => log.push(`${ev}:${'durationMs' in e ? e.durationMs : ''}`));
    }
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
    await b.execute(boom, () => 0); // third failure: opens
    await b.execute(ok, () => 'fb');
    const ac = new AbortController();
    b.reset();
    const q = b.execute(() => new Promise<string>(() => {}), undefined, { signal: ac.signal });
    ac.abort();
    await q.catch(() => {});
    expect(log).toEqual([
      'success:5',
      'failure:0',
      'fallback:',
      'timeout:100',
      'fallback:',
      'stateChange:',
      'failure:0',
      'fallback:',
      'rejected:',
      'fallback:',
      'stateChange:',
      'ignored:0',
    ]);
  });

  it('stateChange payloads; unsubscribe works; a throwing listener breaks nothing', async () => {
    const { b, clock } = make();
    const changes: unknown[] = [];
    const off = b.on('stateChange', (e) => changes.push(e));
    b.on('stateChange', () => {
      throw new Error('listener bug');
    });
    await fail(b, 3);
    expect(changes).toEqual([
      { name: 'test', from: 'closed', to: 'open', reason: 'failure-threshold', at: 1_000_000 },
    ]);
    off();
    off();
    clock.advance(1000);
    expect(await b.execute(ok)).toBe('ok');
    expect(changes).toHaveLength(1);
    expect(b.state).toBe('closed');
  });

  it('a listener may call breaker methods re-entrantly', async () => {
    const { b } = make();
    b.on('stateChange', (e) => {
      if (e.to === 'open') b.reset();
    });
    await fail(b, 3);
    expect(b.state).toBe('closed');
    expect(b.getStats().failureCount).toBe(0);
  });
});

describe('CircuitBreaker: snapshots', () => {
  it('round-trips an open breaker with the remaining open time', async () => {
    const { b, clock } = make();
    await fail(b, 3);
    clock.advance(400);
    const snap = JSON.parse(JSON.stringify(b.toJSON()));
    expect(snap).toEqual({
      version: 1,
      state: 'open',
      openRemainingMs: 600,
      openAttempt: 0,
      forced: null,
    });
    const clock2 = createFakeClock(5);
    const c = new CircuitBreaker('copy', { clock: clock2, resetTimeout: 1000, initialState: snap });
    expect(c.state).toBe('open');
    expect(c.getStats().nextRetryTime).toBe(605);
    clock2.advance(600);
    expect(await c.execute(ok)).toBe('ok');
    expect(c.state).toBe('closed');
  });

  it('round-trips forced states and half-open', () => {
    const { b } = make();
    b.forceOpen();
    const snap = JSON.parse(JSON.stringify(b.toJSON()));
    expect(snap).toMatchObject({ state: 'open', forced: 'open', openRemainingMs: null });
    expect(new CircuitBreaker('x', { initialState: snap }).getStats().forced).toBe('open');
    b.forceClosed();
    expect(new CircuitBreaker('x', { initialState: b.toJSON() }).getStats()).toMatchObject({
      state: 'closed',
      forced: 'closed',
    });
    const h = new CircuitBreaker('x', {
      initialState: {
        version: 1,
        state: 'half-open',
        openRemainingMs: null,
        openAttempt: 2,
        forced: null,
      },
    });
    expect(h.toJSON()).toEqual({
      version: 1,
      state: 'half-open',
      openRemainingMs: null,
      openAttempt: 2,
      forced: null,
    });
  });
});

describe('CircuitBreaker: construction', () => {
  it('never mutates the options object and uses the name', () => {
    const opts = Object.freeze({ failureThreshold: 2 });
    const b = new CircuitBreaker('redis', opts);
    expect(b.name).toBe('redis');
    expect(b.state).toBe('closed');
  });

  it('creates no timer for an idle breaker (system clock)', () => {
    const count = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = count();
    const bs = Array.from({ length: 100 }, (_, i) => new CircuitBreaker(`b${i}`, { timeout: 100 }));
    expect(count() - before).toBe(0);
    expect(bs).toHaveLength(100);
  });
});

describe('README examples', () => {
  it('FAQ: testing with a fake clock', async () => {
    const clock = createFakeClock();
    const breaker = new CircuitBreaker('db', {
      clock,
      failureThreshold: 1,
      resetTimeout: 1000,
      timeout: 50,
    });
    const pending = breaker.execute(
      () => new Promise(() => {}),
      () => 'fallback',
    );
    clock.advance(50);
    expect(await pending).toBe('fallback');
    expect(breaker.state).toBe('open');
    clock.advance(1000);
    const trial = breaker.execute(() => 'ok'); // a sync trial: settles at once
    expect(await trial).toBe('ok');
    expect(breaker.state).toBe('closed');
  });
});
