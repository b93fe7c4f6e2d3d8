import { describe, expect, it, vi } from 'vitest';
import { Emitter } from './emitter.js';

interface Ev {
  a: { n: number };
  b: string;
}

describe('Emitter', () => {
  it('delivers typed payloads; has() reports listeners', () => {
    const e = new Emitter<Ev>();
    expect(e.has('a')).toBe(false);
    const fn = vi.fn();
    e.on('a', fn);
    expect(e.has('a')).toBe(true);
    e.emit('a', { n: 1 });
    expect(fn).toHaveBeenCalledWith({ n: 1 });
  });

  it('unsubscribe is idempotent and removes only its own listener', () => {
    const e = new Emitter<Ev>();
    const f1 = vi.fn();
    const f2 = vi.fn();
    const off1 = e.on('b', f1);
    e.on('b', f2);
    off1();
    off1();
    e.emit('b', 'x');
    expect(f1).not.toHaveBeenCalled();
    expect(f2).toHaveBeenCalledTimes(1);
  });

  it('the same function subscribed twice needs two unsubscribes', () => {
    const e = new Emitter<Ev>();
    const f = vi.fn();
    const off1 = e.on('b', f);
    const off2 = e.on('b', f);
    off1();
    off1();
    e.emit('b', 'x');
    expect(f).toHaveBeenCalledTimes(1);
    off2();
    expect(e.has('b')).toBe(false);
  });

  it('a throwing listener does not stop the others', () => {
    const e = new Emitter<Ev>();
    const after = vi.fn();
    e.on('b', () => {
      throw new Error('boom');
    });
    e.on('b', after);
    expect(() => e.emit('b', 'x')).not.toThrow();
    expect(after).toHaveBeenCalledTimes(1);
  });

  it('unsubscribing during dispatch does not skip the current round', () => {
    const e = new Emitter<Ev>();
    const calls: string[] = [];
    const off = e.on('b', () => {
      calls.push('1');
      off();
    });
    e.on('b', () => calls.push('2'));
    e.emit('b', 'x');
    e.emit('b', 'x');
    expect(calls).toEqual(['1', '2', '2']);
  });

  it('rejects a non-function listener', () => {
    const e = new Emitter<Ev>();
    expect(() => e.on('b', 42 as unknown as () => void)).toThrow(TypeError);
  });

  it('listening(event) is a live flag that follows every subscription', () => {
    const e = new Emitter<Ev>();
    const before = e.on('b', () => undefined);
    const flag = e.listening('b');
    const other = e.listening('a');
    expect(flag.on).toBe(true);
    expect(other.on).toBe(false);
    expect(e.listening('b')).toBe(flag);
    const second = e.on('b', () => undefined);
    before();
    expect(flag.on).toBe(true);
    second();
    second();
    expect(flag.on).toBe(false);
    const a = e.on('a', () => undefined);
    expect(other.on).toBe(true);
    expect(flag.on).toBe(false);
    a();
    expect(other.on).toBe(false);
  });
});
