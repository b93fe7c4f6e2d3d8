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
    const first = takes.attemptFor('k', undefined);
    expect(first.leased).toBe(false);
    takes.finished('k', first, 'unknown');
    const retry = takes.attemptFor('k', undefined);
    expect(retry).toEqual({ attemptId: first.attemptId, leased: true });
    // While that retry is out, another take gets a fresh id: never two holders of one receipt.
    const concurrent = takes.attemptFor('k', undefined);
    expect(concurrent.attemptId).not.toBe(first.attemptId);
    takes.finished('k', concurrent, 'unknown'); // does not replace the remembered attempt
    // A retry that never reached Redis settles nothing: the id is kept (and released).
    takes.finished('k', retry, 'unavailable');
    expect(takes.attemptFor('k', 'given')).toEqual({ attemptId: 'given', leased: false });
    const again = takes.attemptFor('k', undefined);
    expect(again.attemptId).toBe(first.attemptId);
    // `missing` for another attempt keeps it: the remembered one may hold the token.
    takes.finished('k', { attemptId: 'given', leased: false }, 'missing');
    takes.finished('k', again, 'unknown'); // unknown again: the grace counts from the first time
    now = 600;
    const third = takes.attemptFor('k', undefined);
    expect(third.attemptId).toBe(first.attemptId);
    takes.finished('k', third, 'found'); // answered: nothing left to retry
    expect(takes.attemptFor('k', undefined).attemptId).not.toBe(first.attemptId);

    takes.finished('k2', { attemptId: 'a2', leased: false }, 'unknown');
    now = 1601;
    expect(takes.attemptFor('k2', undefined).attemptId).not.toBe('a2'); // past the grace
    takes.finished('k3', { attemptId: 'a3', leased: false }, 'unknown');
    const held = takes.attemptFor('k3', undefined);
    takes.finished('k3', held, 'missing'); // missing for the remembered id itself: forgotten
    expect(takes.attemptFor('k3', undefined).attemptId).not.toBe('a3');

    const off = new UnknownTakes(0, { now: () => now });
    off.finished('k', { attemptId: 'a4', leased: false }, 'unknown');
    expect(off.attemptFor('k', undefined).attemptId).not.toBe('a4');
  });
});
