import { describe, expect, it } from 'vitest';
import { KeyFence } from './key-fence.js';

describe('KeyFence', () => {
  it('says a key changed only after a touch that came after the token', () => {
    const f = new KeyFence();
    f.touch('a');
    const t = f.begin();
    expect(f.unchangedSince('a', t)).toBe(true);
    f.touch('b');
    expect(f.unchangedSince('a', t)).toBe(true);
    expect(f.unchangedSince('b', t)).toBe(false);
    f.touch('a');
    expect(f.unchangedSince('a', t)).toBe(false);
    expect(f.unchangedSince('a', f.begin())).toBe(true);
  });

  it('touchAll changes every key, including ones never touched', () => {
    const f = new KeyFence();
    const t = f.begin();
    f.touchAll();
    expect(f.unchangedSince('never', t)).toBe(false);
    expect(f.unchangedSince('never', f.begin())).toBe(true);
  });

  it('stays bounded: past maxKeys it forgets the oldest change, fencing only older reads', () => {
    const f = new KeyFence(2);
    const beforeAll = f.begin();
    f.touch('a');
    const afterA = f.begin();
    f.touch('b');
    f.touch('c'); // a third key: 'a' (the oldest) is forgotten
    expect(f.unchangedSince('z', beforeAll)).toBe(false); // began before the forgotten change
    expect(f.unchangedSince('z', afterA)).toBe(true); // began after it: not fenced
    expect(f.unchangedSince('b', afterA)).toBe(false);
    expect(f.touchedSince('a', beforeAll)).toBe(false); // forgotten: not known as touched
    expect(f.touchedSince('c', afterA)).toBe(true);
    const later = f.begin();
    expect(f.unchangedSince('a', later)).toBe(true);
    f.touch('a');
    expect(f.unchangedSince('a', later)).toBe(false);
  });

  it('rejects a bad maxKeys, naming it', () => {
    expect(() => new KeyFence(0)).toThrow(/maxKeys must be an integer ≥ 1, got 0/);
  });
});
