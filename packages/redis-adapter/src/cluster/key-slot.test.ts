import { describe, expect, it } from 'vitest';
import { CLUSTER_SLOTS, keySlot } from './key-slot.js';

describe('keySlot', () => {
  it('matches the CRC16 check value and values reported by CLUSTER KEYSLOT', () => {
    // CRC16-XMODEM("123456789") = 0x31C3 = 12739 (< 16384, so the slot is the CRC itself)
    expect(keySlot('123456789')).toBe(0x31c3);
    // from redis-server 7.0 `CLUSTER KEYSLOT`
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('bar')).toBe(5061);
    expect(keySlot('')).toBe(0);
  });

  it('hashes only a non-empty hash tag', () => {
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
    expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'));
    expect(keySlot('foo{}{bar}')).toBe(keySlot('foo{}{bar}')); // empty tag: whole key
    expect(keySlot('foo{}{bar}')).not.toBe(keySlot('bar'));
    expect(keySlot('foo{{bar}}zap')).toBe(keySlot('{bar'));
    expect(keySlot('foo{bar}{zap}')).toBe(keySlot('bar'));
  });

  it('treats strings as UTF-8 and accepts bytes', () => {
    expect(keySlot('é')).toBe(keySlot(new Uint8Array([0xc3, 0xa9])));
    for (const k of ['a', 'b', 'user:42', 'ü-ß']) {
      const s = keySlot(k);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThan(CLUSTER_SLOTS);
    }
  });
});
