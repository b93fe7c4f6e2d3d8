import { describe, expect, it } from 'vitest';
import { PendingInvalidations } from './pending-invalidations.js';

describe('PendingInvalidations', () => {
  it('remembers keys and prefixes and answers isPending', () => {
    const p = new PendingInvalidations(10);
    expect(p.addKey('a')).toBe('added');
    expect(p.addPrefix('user:')).toBe('added');
    expect(p.isPending('a')).toBe(true);
    expect(p.isPending('user:42')).toBe(true);
    expect(p.isPending('b')).toBe(false);
    expect(p.addKey('user:7')).toBe('covered');
    expect(p.size).toBe(2);
  });

  it('a prefix subsumes the keys and narrower prefixes under it', () => {
    const p = new PendingInvalidations(10);
    p.addKey('user:1');
    p.addPrefix('user:1:');
    p.addKey('org:1');
    expect(p.addPrefix('user:')).toBe('added');
    expect(p.snapshot()).toEqual({
      keys: [{ value: 'org:1', version: 3 }],
      prefixes: [{ value: 'user:', version: 4 }],
    });
  });

  it('overflows into "everything" instead of dropping an invalidation', () => {
    const p = new PendingInvalidations(2);
    p.addKey('a');
    p.addKey('b');
    expect(p.addKey('c')).toBe('overflow');
    expect(p.everything).toBe(true);
    expect(p.size).toBe(1);
    for (const k of ['a', 'b', 'c', 'anything']) expect(p.isPending(k)).toBe(true);
    expect(p.addKey('d')).toBe('covered');
  });

  it('with maxEntries 0 every invalidation means everything', () => {
    const p = new PendingInvalidations(0);
    expect(p.addKey('a')).toBe('overflow');
    expect(p.isPending('zzz')).toBe(true);
  });

  it('re-adding an already pending key does not overflow', () => {
    const p = new PendingInvalidations(1);
    p.addKey('a');
    expect(p.addKey('a')).toBe('added');
    expect(p.everything).toBe(false);
  });

  it('resolve only removes entries not re-added after the snapshot', () => {
    const p = new PendingInvalidations(10);
    p.addKey('a');
    p.addKey('b');
    p.addPrefix('x:');
    const snap = p.snapshot();
    p.addKey('b'); // failed again after the snapshot: must stay pending
    for (const e of snap.keys) p.resolveKey(e);
    for (const e of snap.prefixes) p.resolvePrefix(e);
    expect(p.isPending('a')).toBe(false);
    expect(p.isPending('b')).toBe(true);
    expect(p.isPending('x:1')).toBe(false);
  });

  it('a successful write supersedes a pending key but not a covering prefix', () => {
    const p = new PendingInvalidations(10);
    p.addKey('a');
    p.supersede('a');
    expect(p.isPending('a')).toBe(false);
    p.addPrefix('');
    p.supersede('a');
    expect(p.isPending('a')).toBe(true);
  });
});
