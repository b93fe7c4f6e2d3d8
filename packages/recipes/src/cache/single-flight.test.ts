import { describe, expect, it } from 'vitest';
import { SingleFlight } from './single-flight.js';

describe('SingleFlight', () => {
  it('shares one call among concurrent callers of the same key', async () => {
    const sf = new SingleFlight<number>();
    let calls = 0;
    let release!: (v: number) => void;
    const fn = () => {
      calls += 1;
      return new Promise<number>((r) => (release = r));
    };
    const a = sf.run('k', fn);
    const b = sf.run('k', fn);
    const c = sf.run('other', async () => 7);
    expect(a.joined).toBe(false);
    expect(b.joined).toBe(true);
    expect(calls).toBe(1);
    release(42);
    expect(await a.promise).toBe(42);
    expect(await b.promise).toBe(42);
    expect(await c.promise).toBe(7);
    expect(sf.size).toBe(0);
  });

  it('shares a rejection and forgets the key afterwards', async () => {
    const sf = new SingleFlight<number>();
    const a = sf.run('k', async () => {
      throw new Error('boom');
    });
    const b = sf.run('k', async () => 1);
    await expect(a.promise).rejects.toThrow('boom');
    await expect(b.promise).rejects.toThrow('boom');
    expect(await sf.run('k', async () => 2).promise).toBe(2);
  });
});
