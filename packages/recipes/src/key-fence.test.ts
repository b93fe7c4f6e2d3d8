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

  it('stays bounded: past maxKeys every key counts as changed for reads begun before', () => {
    const f = new KeyFence(2);
    const t = f.begin();
    f.touch('a');
    f.touch('b');
    f.touch('c'); // a third key: forgets them all, every key changed
    expect(f.unchangedSince('z', t)).toBe(false);
    const later = f.begin();
    expect(f.unchangedSince('a', later)).toBe(true);
    f.touch('a');
    expect(f.unchangedSince('a', later)).toBe(false);
  });

  it('rejects a bad maxKeys, naming it', () => {
    expect(() => new KeyFence(0)).toThrow(/maxKeys must be an integer ≥ 1, got 0/);
  });
});
