import { describe, expect, it } from 'vitest';
import { DeadlineList, type DeadlineEntry } from './deadline-list.js';
import { systemClock } from './clock.js';
import { createFakeClock } from './testing/fake-clock.js';

const entry = (deadline: number, log: number[]): DeadlineEntry => ({
  deadline,
  prev: null,
  next: null,
  linked: false,
  expire() {
    log.push(deadline);
  },
});

describe('DeadlineList', () => {
  it('expires in deadline order with a single timer', () => {
    const clock = createFakeClock();
    const list = new DeadlineList(clock);
    const log: number[] = [];
    list.insert(entry(100, log));
    list.insert(entry(100, log));
    list.insert(entry(300, log));
    list.insert(entry(50, log)); // shorter deadline: inserted before the head, timer re-armed
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(99);
    expect(log).toEqual([50]);
    clock.advance(1);
    expect(log).toEqual([50, 100, 100]);
    clock.advance(500);
    expect(log).toEqual([50, 100, 100, 300]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('removed entries never expire and the timer disarms once the list is empty', () => {
    const clock = createFakeClock();
    const list = new DeadlineList(clock);
    const log: number[] = [];
    const a = entry(100, log);
    const b = entry(200, log);
    list.insert(a);
    list.insert(b);
    list.remove(a);
    list.remove(a);
    clock.advance(100); // timer fires for a's deadline, finds b pending, re-arms
    expect(log).toEqual([]);
    expect(clock.pendingTimers()).toBe(1);
    list.remove(b);
    clock.advance(100);
    expect(log).toEqual([]);
    expect(list.armed).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('inserts out of order in the middle', () => {
    const clock = createFakeClock();
    const list = new DeadlineList(clock);
    const log: number[] = [];
    for (const d of [10, 30, 20, 40, 25]) list.insert(entry(d, log));
    clock.advance(100);
    expect(log).toEqual([10, 20, 25, 30, 40]);
  });
});

describe('DeadlineList on the system clock: keeping the process alive', () => {
  const pendingTimer = (): DeadlineEntry => ({
    deadline: systemClock.now() + 60_000,
    prev: null,
    next: null,
    linked: false,
    expire() {
      throw new Error('must not expire in this test');
    },
  });
  const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  it('refs its timer while entries are pending and unrefs it at the end of the turn they are gone', async () => {
    const list = new DeadlineList(systemClock);
    const a = pendingTimer();
    const b = pendingTimer();
    list.insert(a);
    expect(list.armed).toBe(true);
    expect(list.holdsProcess).toBe(true);
    list.insert(b);
    list.remove(a);
    await nextTurn();
    expect(list.holdsProcess).toBe(true); // b still pending
    list.remove(b);
    expect(list.holdsProcess).toBe(true); // released at the end of the turn, not per call
    await nextTurn();
    expect(list.holdsProcess).toBe(false);
    expect(list.armed).toBe(true); // the timer stays armed (no timer churn), just unref'ed
    // A new entry refs the same timer again instead of creating one.
    const c = pendingTimer();
    list.insert(c);
    expect(list.holdsProcess).toBe(true);
    list.remove(c);
    await nextTurn();
    expect(list.holdsProcess).toBe(false);
  });

  it('an entry inserted again within the same turn keeps the timer ref-ed', async () => {
    const list = new DeadlineList(systemClock);
    const a = pendingTimer();
    list.insert(a);
    list.remove(a);
    const b = pendingTimer();
    list.insert(b);
    await nextTurn();
    expect(list.holdsProcess).toBe(true);
    list.remove(b);
    await nextTurn();
    expect(list.holdsProcess).toBe(false);
  });

  it('never refs a fake clock timer (no ref/unref on its handles)', () => {
    const clock = createFakeClock();
    const list = new DeadlineList(clock);
    list.insert(entry(10, []));
    expect(list.armed).toBe(true);
    expect(list.holdsProcess).toBe(false);
  });
});
