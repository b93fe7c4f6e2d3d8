import { describe, expect, it } from 'vitest';
import { DeadlineList, type DeadlineEntry } from './deadline-list.js';
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
