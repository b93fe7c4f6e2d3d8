import { createFakeClock } from '@breakwater/breaker';
import { describe, expect, it } from 'vitest';
import { createShardBreakers } from './shard-breakers.js';

const fail = (): Promise<never> => Promise.reject(new Error('down'));

describe('createShardBreakers', () => {
  it('creates one breaker per master address, lazily, and reports each creation once', () => {
    const created: string[] = [];
    const reg = createShardBreakers('cache', {}, undefined, (address, b) =>
      created.push(`${address}=${b.name}`),
    );
    expect(reg.size).toBe(0);
    expect(reg.peek('127.0.0.1:7000')).toBeUndefined();
    const a = reg.get('127.0.0.1:7000');
    expect(reg.get('127.0.0.1:7000')).toBe(a);
    const b = reg.get('127.0.0.1:7001');
    expect(b).not.toBe(a);
    expect(a.name).toBe('cache@127.0.0.1:7000');
    expect(created).toEqual([
      '127.0.0.1:7000=cache@127.0.0.1:7000',
      '127.0.0.1:7001=cache@127.0.0.1:7001',
    ]);
    expect(reg.size).toBe(2);
  });

  it('opening one shard breaker leaves the others closed', async () => {
    const clock = createFakeClock();
    const reg = createShardBreakers('c', { failureThreshold: 2, clock, resetTimeout: 1000 }, clock);
    const dead = reg.get('h:1');
    const healthy = reg.get('h:2');
    for (let i = 0; i < 3; i++) await dead.execute(fail, () => 'fb');
    await healthy.execute(() => 'ok');
    expect(dead.state).toBe('open');
    expect(healthy.state).toBe('closed');
    expect(
      await healthy.execute(
        () => 'ok',
        () => 'fb',
      ),
    ).toBe('ok');
    expect(
      await dead.execute(
        () => 'ok',
        () => 'fb',
      ),
    ).toBe('fb');
  });

  it('retain() drops (and forgets) the breakers of former masters: a returning address starts closed', async () => {
    const clock = createFakeClock();
    const reg = createShardBreakers('c', { failureThreshold: 1, clock }, clock);
    const old = reg.get('h:1');
    reg.get('h:2');
    await old.execute(fail, () => 'fb');
    expect(old.state).toBe('open');
    expect(reg.retain(['h:2', 'h:3'])).toEqual(['h:1']);
    expect(reg.peek('h:1')).toBeUndefined();
    expect(reg.size).toBe(1);
    const again = reg.get('h:1');
    expect(again).not.toBe(old);
    expect(again.state).toBe('closed');
  });

  it('never evicts an idle shard breaker: its connection holds it for as long as it is a master', () => {
    const clock = createFakeClock();
    const reg = createShardBreakers('c', { clock }, clock);
    const a = reg.get('h:1');
    clock.advance(365 * 24 * 3600 * 1000);
    reg.get('h:2');
    expect(reg.get('h:1')).toBe(a);
  });

  it('rejects invalid breaker options when the first breaker is created', () => {
    const reg = createShardBreakers('c', { failureThreshold: -1 }, undefined);
    expect(() => reg.get('h:1')).toThrow(/failureThreshold/);
  });
});
