import type { RedisFailureKind, RedisFallback } from '@breakwater/redis-adapter';
import { describe, expect, it } from 'vitest';
import { RecipeRedis } from './recipe-client.js';
import type { RecipeAdapter } from './recipe-adapter.js';

/** node-redis error classes are recognised by constructor name. */
class AbortError extends Error {}
class ErrorReply extends Error {}
class SocketClosedUnexpectedlyError extends Error {}

type Sent = { args: unknown[]; reply: Promise<unknown> };

/**
 * A fake adapter: runs `op` unless `skip` (circuit open), then either resolves with the op's
 * value or, when `fail` is set, aborts the call's signal and answers the fallback (a deadline).
 */
function fakeAdapter(
  topology: 'single' | 'cluster' | 'sentinel',
  behaviour: { skip?: boolean; fail?: RedisFailureKind; reply: () => Promise<unknown> },
): { adapter: RecipeAdapter; sent: Sent[]; options: unknown[] } {
  const sent: Sent[] = [];
  const options: unknown[] = [];
  const send = (...args: unknown[]) => {
    const reply = behaviour.reply();
    reply.catch(() => undefined);
    sent.push({ args, reply });
    return reply;
  };
  const adapter = {
    topology,
    name: 'fake',
    connectionState: 'ready',
    client: { masters: [], nodeClient: () => ({ sendCommand: send }) },
    on: () => () => {},
    async executeRedisOperation<T, F>(
      op: (client: unknown, signal: AbortSignal) => T | PromiseLike<T>,
      fallback: RedisFallback<F>,
      _name: string,
      opts?: unknown,
    ): Promise<T | F> {
      options.push(opts);
      if (behaviour.skip) return fallback('circuit-open', new Error('open'));
      const controller = new AbortController();
      const p = Promise.resolve(op({ sendCommand: send }, controller.signal));
      if (behaviour.fail === undefined) return p;
      p.catch(() => undefined);
      controller.abort();
      return fallback(behaviour.fail, new Error(behaviour.fail));
    },
  } as unknown as RecipeAdapter;
  return { adapter, sent, options };
}

const pending = () => new Promise<unknown>(() => {});

describe('RecipeRedis.step', () => {
  it('sends in the shape of each topology, with the key routing Cluster calls', async () => {
    for (const topology of ['single', 'cluster', 'sentinel'] as const) {
      const { adapter, sent, options } = fakeAdapter(topology, {
        reply: () => Promise.resolve('OK'),
      });
      const r = await new RecipeRedis(adapter).step(
        'x.set',
        'k',
        (s) => s(['SET', 'k', 'v'], 'k'),
        50,
      );
      expect(r).toEqual({ ok: true, value: 'OK' });
      const args = sent[0]!.args;
      if (topology === 'single') expect(args.slice(0, 1)).toEqual([['SET', 'k', 'v']]);
      if (topology === 'cluster') expect(args.slice(0, 3)).toEqual(['k', false, ['SET', 'k', 'v']]);
      if (topology === 'sentinel') expect(args.slice(0, 2)).toEqual([false, ['SET', 'k', 'v']]);
      expect(args.at(-1)).toMatchObject({ abortSignal: expect.any(AbortSignal) });
      expect(options[0]).toEqual(
        topology === 'cluster' ? { timeout: 50, key: 'k' } : { timeout: 50 },
      );
    }
  });

  it('nothing sent (circuit open): not applied', async () => {
    const { adapter, sent } = fakeAdapter('single', { skip: true, reply: pending });
    const r = await new RecipeRedis(adapter).step('x', 'k', (s) => s(['SET'], 'k'), undefined);
    expect(r).toMatchObject({ ok: false, reason: 'circuit-open', maybeApplied: false });
    expect(sent).toHaveLength(0);
  });

  it('sent and still unanswered at the deadline: maybe applied', async () => {
    const { adapter } = fakeAdapter('single', { fail: 'timeout', reply: pending });
    const r = await new RecipeRedis(adapter).step('x', 'k', (s) => s(['SET'], 'k'), undefined);
    expect(r).toMatchObject({ ok: false, reason: 'timeout', maybeApplied: true });
  });

  it('cancelled before being written (AbortError): not applied', async () => {
    const { adapter } = fakeAdapter('cluster', {
      fail: 'timeout',
      reply: () => Promise.reject(new AbortError()),
    });
    const r = await new RecipeRedis(adapter).step('x', 'k', (s) => s(['SET'], 'k'), undefined);
    expect(r).toMatchObject({ ok: false, reason: 'timeout', maybeApplied: false });
  });

  it('connection lost after writing: maybe applied', async () => {
    const { adapter } = fakeAdapter('sentinel', {
      fail: 'connection',
      reply: () => Promise.reject(new SocketClosedUnexpectedlyError()),
    });
    const r = await new RecipeRedis(adapter).step('x', 'k', (s) => s(['SET'], 'k'), undefined);
    expect(r).toMatchObject({ ok: false, reason: 'connection', maybeApplied: true });
  });

  it('an error reply (the adapter rejects): data, not applied', async () => {
    const { adapter } = fakeAdapter('single', {
      reply: () => Promise.reject(new ErrorReply('WRONGTYPE')),
    });
    const r = await new RecipeRedis(adapter).step('x', 'k', (s) => s(['SET'], 'k'), undefined);
    expect(r).toMatchObject({ ok: false, reason: 'data', maybeApplied: false });
  });

  it('unlinks a batch in one command, or per key (per slot) on a Cluster', async () => {
    for (const topology of ['single', 'cluster'] as const) {
      const { adapter, sent } = fakeAdapter(topology, { reply: () => Promise.resolve(1) });
      const r = await new RecipeRedis(adapter).unlink('x', ['a', 'b', 'c'], undefined);
      expect(r).toEqual({ ok: true, value: topology === 'single' ? 1 : 3 });
      expect(sent).toHaveLength(topology === 'single' ? 1 : 3);
    }
  });
});
