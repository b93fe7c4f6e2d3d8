/**
 * Writes against a frozen server (SIGSTOP, then SIGCONT): a write answered `unavailable` must
 * never take effect later, and a retried take of a valid token must never answer `missing`.
 * Commands sent before the freeze was noticed answer `unknown`; the server really does apply
 * them when it resumes, which is why they may not be called "unavailable".
 */
import { describe, expect, it } from 'vitest';
import {
  createCache,
  createSessionStore,
  createTokenStore,
  isStoreUnavailableError,
} from '../src/index.js';
import type { TakeResult } from '../src/index.js';
import { tokenKey } from '../src/stores/token-store.js';
import { useEnv, waitFor, waitForRecovery } from './harness.js';

const env = useEnv();
const WAVE = 20;

/** True when the session key exists in Redis (read with redis-cli, not through the adapter). */
async function exists(key: string): Promise<boolean> {
  return (await env.server.cli('EXISTS', key)) === '1';
}

/** Waits until an operation goes through the adapter again (breaker closed). */
function adapterReady(): Promise<void> {
  return waitForRecovery(env, () =>
    env.adapter.executeRedisOperation(
      async (c) => (await c.ping()) === 'PONG',
      () => false,
      'test.probe',
    ),
  );
}

describe('writes against a frozen server', () => {
  it('a set answered unavailable never lands later; one answered unknown may', async () => {
    const s = createSessionStore<{ n: number }>(env.adapter, { prefix: 'sess:', ttlMs: 60_000 });
    await adapterReady();
    env.server.pause();
    // Wave 1: sent on the live socket before the freeze is noticed.
    const first = await Promise.all(
      Array.from({ length: WAVE }, (_, i) => s.set(`a${i}`, { n: i })),
    );
    // Wave 2: after the deadline overrun the adapter drops the connection (not ready) or the
    // breaker opens: nothing is sent.
    const second = await Promise.all(
      Array.from({ length: WAVE }, (_, i) => s.set(`b${i}`, { n: i })),
    );
    env.server.resume();
    await waitForRecovery(env, async () => (await s.set('probe', { n: 0 })).status === 'ok');
    // Give the resumed server time to drain whatever was buffered on the old socket.
    await new Promise((r) => setTimeout(r, 300));

    const answers = [
      ...first.map((a, i) => ({ a, key: `sess:a${i}` })),
      ...second.map((a, i) => ({ a, key: `sess:b${i}` })),
    ];
    let unavailableButApplied = 0;
    let unknownApplied = 0;
    for (const { a, key } of answers) {
      expect(['unavailable', 'unknown']).toContain(a.status);
      const applied = await exists(key);
      if (a.status === 'unavailable' && applied) unavailableButApplied += 1;
      if (a.status === 'unknown' && applied) unknownApplied += 1;
    }
    expect(unavailableButApplied).toBe(0);
    // The first wave really was sent: the resumed server applied it, and it answered unknown.
    expect(first.every((a) => a.status === 'unknown')).toBe(true);
    expect(unknownApplied).toBe(WAVE);
    expect(second.every((a) => a.status === 'unavailable')).toBe(true);
  });

  it('throwOnWriteFailure: the error says maybeApplied for a sent write', async () => {
    const s = createSessionStore(env.adapter, {
      prefix: 'sess:',
      ttlMs: 60_000,
      throwOnWriteFailure: true,
    });
    await adapterReady();
    env.server.pause();
    const error = await s.set('x', 1).then(
      () => undefined,
      (e: unknown) => e,
    );
    const later = await s.set('y', 1).then(
      () => undefined,
      (e: unknown) => e,
    );
    env.server.resume();
    await adapterReady();
    expect(isStoreUnavailableError(error)).toBe(true);
    expect(error).toMatchObject({ maybeApplied: true, reason: 'timeout' });
    expect(String((error as Error).message)).toContain('outcome unknown');
    expect(isStoreUnavailableError(later)).toBe(true);
    expect(later).toMatchObject({ maybeApplied: false });
  });

  it('a take retried after an outage answer never answers missing for a valid token', async () => {
    const t = createTokenStore<{ user: number }>(env.adapter, { prefix: 'tok:', ttlMs: 60_000 });
    const tokens = Array.from({ length: WAVE }, (_, i) => `token-${i}-secret`);
    await adapterReady();
    for (const [i, token] of tokens.entries()) {
      expect(await t.set(token, { user: i })).toEqual({ status: 'ok' });
    }
    // Load the take script (EVALSHA of an unknown script would only answer NOSCRIPT).
    expect(await t.take('warm-up')).toEqual({ status: 'missing' });
    env.server.pause();
    const first = await Promise.all(tokens.map((token) => t.take(token)));
    // Retried once more while still frozen (the answer then is mostly `unavailable`): such a
    // retry used to forget the remembered attempt id, and the next one answered `missing`
    // (a new user's report, 2026-12-07).
    const during = await Promise.all(tokens.slice(0, 6).map((token) => t.take(token)));
    expect(during.every((a) => a.status === 'unavailable' || a.status === 'unknown')).toBe(true);
    env.server.resume();
    await adapterReady();
    // The first takes were applied late by the resumed server (the tokens are gone)...
    await waitFor(
      async () => (await env.server.cli('EXISTS', `tok:${tokenKey(tokens[0]!)}`)) === '0',
      5_000,
      'the late take to be applied',
    );
    expect(first.every((a) => a.status === 'unknown')).toBe(true);
    // ...yet each retry answers the token: same process (remembered attempt id) for half of
    // them, another store instance (another process) passing the attempt id for the rest.
    const other = createTokenStore<{ user: number }>(env.adapter, {
      prefix: 'tok:',
      ttlMs: 60_000,
    });
    // Two retries at once in the same process (a double submit): exactly one gets the value.
    const pair = await Promise.all([t.take(tokens[0]!), t.take(tokens[0]!)]);
    expect(pair.map((a) => a.status).sort()).toEqual(['found', 'missing']);
    const retries: Array<TakeResult<{ user: number }>> = [];
    for (const [i, token] of tokens.entries()) {
      if (i === 0) continue;
      const a = first[i]!;
      const attemptId = a.status === 'unknown' ? a.attemptId : undefined;
      retries.push(i % 2 === 0 ? await t.take(token) : await other.take(token, { attemptId }));
    }
    expect(retries).toEqual(
      tokens.slice(1).map((_, i) => ({ status: 'found', value: { user: i + 1 } })),
    );
    // Anyone else (a new attempt) finds the token used: it is found by at most one attempt.
    expect(await t.take(tokens[0]!)).toEqual({ status: 'missing' });
    expect(await other.take(tokens[1]!)).toEqual({ status: 'missing' });
  });

  it('a take answered unavailable leaves the token unused', async () => {
    const t = createTokenStore<number>(env.adapter, { prefix: 'tok:', ttlMs: 60_000 });
    await adapterReady();
    expect(await t.set('tk', 7)).toEqual({ status: 'ok' });
    env.server.pause();
    await t.get('tk'); // times out: the adapter drops the connection
    const take = await t.take('tk');
    env.server.resume();
    expect(take).toMatchObject({ status: 'unavailable' });
    await adapterReady();
    await new Promise((r) => setTimeout(r, 300));
    expect(await t.take('tk')).toEqual({ status: 'found', value: 7 });
  });

  it('a cache set sent to a frozen server may land late; the queued invalidation removes it', async () => {
    const cache = createCache(env.adapter, { prefix: 'c:', defaultTtlMs: 60_000 });
    await adapterReady();
    expect(await cache.set('k', 'old')).toBe(true);
    env.server.pause();
    expect(await cache.set('k', 'new')).toBe(false);
    env.server.resume();
    await adapterReady();
    await waitFor(
      async () => {
        await cache.flushPendingInvalidations();
        return cache.stats().pendingInvalidations === 0;
      },
      10_000,
      'the invalidation replay',
    );
    // Neither the old value nor the late SET survives: the next read is a miss.
    expect(await env.server.cli('EXISTS', 'c:k')).toBe('0');
    expect(await cache.get('k')).toBeUndefined();
    cache.dispose();
  });
});
