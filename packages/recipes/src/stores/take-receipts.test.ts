import { describe, expect, it } from 'vitest';
import { UnknownTakes, checkAttemptId, parseTakeReply, receiptKey } from './take-receipts.js';
import { tokenKey } from './token-store.js';
import { keySlot } from '@breakwater/redis-adapter';

describe('take receipts', () => {
  it('keep the token key and its receipt in one Cluster slot', () => {
    for (const prefix of ['tok:', 'a{b}:', 'x{', '}{']) {
      const key = prefix + tokenKey('some-token');
      expect(keySlot(receiptKey(key))).toBe(keySlot(key));
    }
    expect(keySlot(`tok:${tokenKey('a')}`)).not.toBe(keySlot(`tok:${tokenKey('b')}`));
  });

  it('parse the script reply and reject any other shape', () => {
    expect(parseTakeReply([0])).toBeUndefined();
    expect(parseTakeReply([1, '{"a":1}'])).toBe('{"a":1}');
    expect(parseTakeReply([2, '7'])).toBe('7');
    for (const bad of [null, 'OK', [], [1], [1, 2], [3, 'x', 'y']]) {
      expect(() => parseTakeReply(bad)).toThrow(TypeError);
    }
  });

  it('accept attempt ids that survive the receipt layout only', () => {
    expect(checkAttemptId('t', 'req-42:a_b.c')).toBe('req-42:a_b.c');
    expect(() => checkAttemptId('t', 42)).toThrow(TypeError);
    for (const bad of ['', 'a\nb', 'a b', 'x'.repeat(129)]) {
      expect(() => checkAttemptId('t', bad)).toThrow(RangeError);
    }
  });

  it('remember an unknown take until a definite answer or the end of the grace', () => {
    let now = 0;
    const takes = new UnknownTakes(1000, { now: () => now });
    const fresh = takes.attemptFor('k', undefined);
    takes.remember('k', fresh);
    expect(takes.attemptFor('k', undefined)).toBe(fresh);
    // A retry that never reached Redis (unavailable) settles nothing: the id is kept.
    expect(takes.attemptFor('k', undefined)).toBe(fresh);
    expect(takes.attemptFor('k', 'given')).toBe('given'); // the caller's id wins…
    expect(takes.attemptFor('k', undefined)).toBe(fresh); // …and does not drop the memory
    takes.settled('k'); // found or missing: nothing left to retry
    expect(takes.attemptFor('k', undefined)).not.toBe(fresh);
    takes.remember('k', 'a2');
    now = 600;
    takes.remember('k', 'a2'); // unknown again: the grace still counts from the first time
    now = 1001;
    expect(takes.attemptFor('k', undefined)).not.toBe('a2'); // past the grace
    const off = new UnknownTakes(0, { now: () => now });
    off.remember('k', 'a3');
    expect(off.attemptFor('k', undefined)).not.toBe('a3');
  });
});
