import { describe, expect, it } from 'vitest';
import { decodeJson, encodeJson } from './json-codec.js';

describe('json codec', () => {
  it('round-trips JSON values including null, arrays and nested objects', () => {
    for (const v of [null, 0, 'x', true, [1, 'a'], { a: { b: [null] } }]) {
      const d = decodeJson(encodeJson('t', v));
      expect(d).toEqual({ ok: true, value: v });
    }
  });

  it('rejects values JSON cannot store with a TypeError naming the caller', () => {
    expect(() => encodeJson('cache.set', undefined)).toThrow(/cache\.set: value must be JSON/);
    expect(() => encodeJson('t', () => 1)).toThrow(TypeError);
    expect(() => encodeJson('t', 10n)).toThrow(/not JSON-serialisable/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => encodeJson('t', cyclic)).toThrow(TypeError);
  });

  it('decodes invalid or non-string input as not ok, never throwing', () => {
    expect(decodeJson('{not json')).toEqual({ ok: false });
    expect(decodeJson('')).toEqual({ ok: false });
    expect(decodeJson(42)).toEqual({ ok: false });
    expect(decodeJson(null)).toEqual({ ok: false });
  });
});
