import { describe, expect, it } from 'vitest';
import { LruCache } from './lru-cache.js';

function setup(maxEntries = 3, ttlMs = 1000) {
  const clock = { t: 1_000_000, now: () => clock.t };
  return { clock, lru: new LruCache<string>({ maxEntries, ttlMs, clock }) };
}

describe('LruCache', () => {
  it('returns stored values until their TTL, then forgets them', () => {
    const { clock, lru } = setup();
    lru.set('a', 'A');
    clock.t += 999;
    expect(lru.get('a')).toBe('A');
    clock.t += 1;
    expect(lru.get('a')).toBeUndefined();
    expect(lru.size).toBe(0);
  });

  it('caps a per-entry TTL at the tier TTL and honours a shorter one', () => {
    const { clock, lru } = setup(3, 1000);
    lru.set('long', 'L', 60_000);
    lru.set('short', 'S', 10);
    clock.t += 10;
    expect(lru.get('short')).toBeUndefined();
    expect(lru.get('long')).toBe('L');
    clock.t += 990;
    expect(lru.get('long')).toBeUndefined();
  });

  it('evicts the least recently used entry beyond maxEntries', () => {
    const { lru } = setup(2);
    lru.set('a', 'A');
    lru.set('b', 'B');
    expect(lru.get('a')).toBe('A'); // a is now most recent
    lru.set('c', 'C');
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe('A');
    expect(lru.get('c')).toBe('C');
    expect(lru.size).toBe(2);
  });

  it('deletes single keys, prefixes and everything', () => {
    const { lru } = setup(10);
    lru.set('user:1', '1');
    lru.set('user:2', '2');
    lru.set('org:1', 'o');
    expect(lru.delete('user:1')).toBe(true);
    expect(lru.delete('user:1')).toBe(false);
    expect(lru.deletePrefix('user:')).toBe(1);
    expect(lru.get('org:1')).toBe('o');
    lru.clear();
    expect(lru.size).toBe(0);
  });

  it('a zero TTL stores nothing', () => {
    const { lru } = setup();
    lru.set('a', 'A', 0);
    expect(lru.get('a')).toBeUndefined();
  });
});
