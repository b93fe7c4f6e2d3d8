import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FIXED_WINDOW, SLIDING_WINDOW, parseVerdict } from './rate-limit-scripts.js';
import { escapeGlob } from '../cache/scan-delete.js';

describe('limiter scripts', () => {
  it('carry the SHA1 EVALSHA needs', () => {
    for (const s of [FIXED_WINDOW, SLIDING_WINDOW]) {
      expect(s.sha).toBe(createHash('sha1').update(s.source).digest('hex'));
    }
    expect(FIXED_WINDOW.sha).not.toBe(SLIDING_WINDOW.sha);
  });

  it('parse a verdict and reject any other reply shape', () => {
    expect(parseVerdict([1, 4, 900])).toEqual({ allowed: true, remaining: 4, resetMs: 900 });
    expect(parseVerdict([0, 0, 12])).toEqual({ allowed: false, remaining: 0, resetMs: 12 });
    for (const bad of [null, 'OK', [1, 2], [1, '2', 3], [1, 2, 3, 4]]) {
      expect(() => parseVerdict(bad)).toThrow(TypeError);
    }
  });
});

describe('escapeGlob', () => {
  it('escapes every SCAN MATCH metacharacter', () => {
    expect(escapeGlob('a*b?c[d]e\\f')).toBe('a\\*b\\?c\\[d\\]e\\\\f');
    expect(escapeGlob('plain:prefix:')).toBe('plain:prefix:');
  });
});
