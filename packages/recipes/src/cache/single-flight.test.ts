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

  it('forget: later callers start their own call; the forgotten one still answers its callers', async () => {
    const sf = new SingleFlight<string>();
    let release!: (v: string) => void;
    const old = sf.run('user:1', () => new Promise<string>((r) => (release = r)));
    sf.run('user:2', () => new Promise<string>(() => undefined));
    sf.run('other', () => new Promise<string>(() => undefined));
    sf.forget('user:1', true);
    const fresh = sf.run('user:1', async () => 'new');
    expect(fresh.joined).toBe(false);
    expect(await fresh.promise).toBe('new');
    release('old');
    expect(await old.promise).toBe('old');
    // The old call settling does not remove a newer entry for its key.
    const pending = sf.run('user:1', () => new Promise<string>(() => undefined));
    expect(sf.run('user:1', async () => 'x').joined).toBe(true);
    expect(pending.joined).toBe(false);
    sf.forget('user:', false);
    expect(sf.run('user:2', async () => 'y').joined).toBe(false);
    expect(sf.run('other', async () => 'z').joined).toBe(true);
  });

  it('a synchronous throw of fn is not shared and leaves nothing behind', async () => {
    const sf = new SingleFlight<number>();
    const a = sf.run('k', () => {
      throw new Error('sync');
    });
    await expect(a.promise).rejects.toThrow('sync');
    expect(sf.size).toBe(0);
    expect(await sf.run('k', async () => 3).promise).toBe(3);
  });
});
