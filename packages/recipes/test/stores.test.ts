import { describe, expect, it } from 'vitest';
import { createSessionStore, createTokenStore, isStoreUnavailableError } from '../src/index.js';
import { tokenKey } from '../src/stores/token-store.js';
import {
  DEADLINE_MS,
  MARGIN_MS,
  collect,
  inject,
  timed,
  useEnv,
  waitForRecovery,
} from './harness.js';
import type { Fault } from './harness.js';

const env = useEnv();

interface Session {
  user: string;
}

describe('session store with Redis up', () => {
  it('get / set / touch / delete, with missing kept apart from unavailable', async () => {
    const s = createSessionStore<Session>(env.adapter, { prefix: 'sess:', ttlMs: 60_000 });
    expect(await s.get('sid1')).toEqual({ status: 'missing' });
    expect(await s.set('sid1', { user: 'ada' })).toEqual({ status: 'ok' });
    expect(await s.get('sid1')).toEqual({ status: 'found', value: { user: 'ada' } });
    expect(Number(await env.server.cli('PTTL', 'sess:sid1'))).toBeGreaterThan(50_000);
    expect(await s.touch('sid1', 5_000)).toEqual({ status: 'ok' });
    expect(Number(await env.server.cli('PTTL', 'sess:sid1'))).toBeLessThanOrEqual(5_000);
    expect(await s.touch('nope')).toEqual({ status: 'missing' });
    expect(await s.delete('sid1')).toEqual({ status: 'ok', existed: true });
    expect(await s.delete('sid1')).toEqual({ status: 'ok', existed: false });
    expect(await s.get('sid1')).toEqual({ status: 'missing' });
    expect('take' in s).toBe(false);
  });

  it('a corrupt session is missing (and reported), not an exception', async () => {
    const s = createSessionStore(env.adapter, { prefix: 'sess:', ttlMs: 60_000 });
    const events = collect(s);
    await env.server.cli('SET', 'sess:bad', '{');
    expect(await s.get('bad')).toEqual({ status: 'missing' });
    expect(events).toEqual([
      {
        recipe: 'session-store',
        name: 'sess:',
        operation: 'get',
        reason: 'corrupt',
        outcome: 'missing',
      },
    ]);
  });

  it('a data error (WRONGTYPE) is unavailable with reason data, not missing', async () => {
    const s = createSessionStore(env.adapter, { prefix: 'sess:', ttlMs: 60_000 });
    await env.server.cli('HSET', 'sess:h', 'f', 'v');
    expect(await s.get('h')).toEqual({ status: 'unavailable', reason: 'data' });
    expect(s.stats().degradedByReason).toEqual({ data: 1 });
  });

  it('validates options at construction and never mutates them', () => {
    const o = Object.freeze({ prefix: 'sess:', ttlMs: 1000 });
    expect(() => createSessionStore(env.adapter, o)).not.toThrow();
    expect(() => createSessionStore(env.adapter, { prefix: '', ttlMs: 1000 })).toThrow(/prefix/);
    expect(() => createSessionStore(env.adapter, { prefix: 'p', ttlMs: -1 })).toThrow(RangeError);
    expect(() =>
      createSessionStore(env.adapter, {
        prefix: 'p',
        ttlMs: 1,
        throwOnWriteFailure: 'yes' as unknown as boolean,
      }),
    ).toThrow(/throwOnWriteFailure must be a boolean/);
    expect(() => createSessionStore({} as never, o)).toThrow(/adapter/);
  });
});

describe('token store with Redis up', () => {
  it('stores tokens under a hash, never the token itself; take() is one-time', async () => {
    const t = createTokenStore<{ user: string }>(env.adapter, { prefix: 'tok:', ttlMs: 60_000 });
    const token = 'reset-7f3a9c-secret';
    expect(await t.set(token, { user: 'ada' })).toEqual({ status: 'ok' });
    const keys = await env.server.cli('KEYS', 'tok:*');
    expect(keys).toBe(`tok:${tokenKey(token)}`);
    expect(keys).not.toContain(token);
    expect(await t.get(token)).toEqual({ status: 'found', value: { user: 'ada' } });
    expect(await t.touch(token)).toEqual({ status: 'ok' });
    const [a, b] = await Promise.all([t.take(token), t.take(token)]);
    expect([a.status, b.status].sort()).toEqual(['found', 'missing']);
    expect(await t.get(token)).toEqual({ status: 'missing' });
    await t.set(token, { user: 'x' });
    expect(await t.delete(token)).toEqual({ status: 'ok', existed: true });
  });
});

describe.each<Fault>(['killed', 'frozen'])('stores with Redis %s', (fault) => {
  it('answer unavailable (never missing), report and count it, within the deadline', async () => {
    const s = createSessionStore(env.adapter, { prefix: 'sess:', ttlMs: 60_000 });
    const t = createTokenStore(env.adapter, { prefix: 'tok:', ttlMs: 60_000 });
    const strict = createSessionStore(env.adapter, {
      prefix: 'sess:',
      ttlMs: 60_000,
      throwOnWriteFailure: true,
    });
    const events = [...[s, t, strict].map(collect)];
    await s.set('sid', { user: 'ada' });
    await t.set('tkn', 1);
    const end = await inject(env, fault);
    const ops: Array<[string, () => Promise<unknown>]> = [
      ['session get', () => s.get('sid')],
      ['session set', () => s.set('sid', { user: 'bob' })],
      ['session touch', () => s.touch('sid')],
      ['session delete', () => s.delete('sid')],
      ['token get', () => t.get('tkn')],
      ['token take', () => t.take('tkn')],
      ['token set', () => t.set('tkn', 2)],
      ['token touch', () => t.touch('tkn')],
      ['token delete', () => t.delete('tkn')],
    ];
    for (const [name, op] of ops) {
      const { value, ms } = await timed(op);
      expect(value, name).toMatchObject({ status: 'unavailable' });
      expect(['connection', 'not-ready', 'timeout', 'circuit-open'], name).toContain(
        (value as { reason: string }).reason,
      );
      expect(ms, name).toBeLessThan(DEADLINE_MS + MARGIN_MS);
    }
    // throwOnWriteFailure: writes throw the typed error, reads still answer a result.
    for (const op of [
      () => strict.set('sid', 1),
      () => strict.touch('sid'),
      () => strict.delete('sid'),
    ]) {
      const err = await op().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isStoreUnavailableError(err)).toBe(true);
      expect(String((err as Error).message)).not.toContain('sid');
    }
    expect(await strict.get('sid')).toMatchObject({ status: 'unavailable' });
    expect(s.stats()).toMatchObject({
      degraded: 4,
      degradedByOperation: { get: 1, set: 1, touch: 1, delete: 1 },
    });
    expect(t.stats().degraded).toBe(5);
    expect(strict.stats().degraded).toBe(4);
    expect(events[0].map((e) => e.outcome)).toEqual(Array(4).fill('unavailable'));
    expect(events[2].map((e) => e.outcome)).toEqual(['throw', 'throw', 'throw', 'unavailable']);
    await end();
    await waitForRecovery(env, async () => (await s.set('probe', 1)).status === 'ok');
    expect(await s.get('sid')).toMatchObject({ status: fault === 'killed' ? 'missing' : 'found' });
  });
});

describe('stores during a live restart', () => {
  it('never throw, stay bounded, answer found/missing or unavailable, then use Redis again', async () => {
    const s = createSessionStore(env.adapter, { prefix: 'sess:', ttlMs: 60_000 });
    await s.set('sid', { user: 'ada' });
    const restarting = env.server.restart();
    const answers = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        await new Promise((r) => setTimeout(r, i * 10));
        return timed((): Promise<{ status: string }> => (i % 2 ? s.get('sid') : s.set(`n${i}`, i)));
      }),
    );
    await restarting;
    for (const { value, ms } of answers) {
      expect(ms).toBeLessThan(DEADLINE_MS + MARGIN_MS);
      expect(['ok', 'found', 'missing', 'unavailable', 'unknown']).toContain(value.status);
    }
    const unavailable = answers.filter((a) =>
      ['unavailable', 'unknown'].includes(a.value.status),
    ).length;
    expect(s.stats().degraded).toBe(unavailable);
    await waitForRecovery(env, async () => (await s.set('probe', 1)).status === 'ok');
  });
});
