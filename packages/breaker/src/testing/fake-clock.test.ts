import { describe, expect, it } from 'vitest';
import { createFakeClock } from './fake-clock.js';

describe('createFakeClock', () => {
  it('runs due timers in order with now() at their deadline', () => {
    const clock = createFakeClock(1000);
    const seen: Array<[string, number]> = [];
    clock.setTimeout(() => seen.push(['b', clock.now()]), 20);
    clock.setTimeout(() => seen.push(['a', clock.now()]), 10);
    const h = clock.setTimeout(() => seen.push(['x', clock.now()]), 15);
    clock.clearTimeout(h);
    clock.advance(30);
    expect(seen).toEqual([
      ['a', 1010],
      ['b', 1020],
    ]);
    expect(clock.now()).toBe(1030);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('rejects negative advances', () => {
    expect(() => createFakeClock().advance(-1)).toThrow(RangeError);
  });
});
