import type { RedisFailureKind, RedisFallback } from '@breakwater/redis-adapter';
import { describe, expect, it } from 'vitest';
import { RecipeRedis, sendSingle } from './recipe-client.js';
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

describe('sendSingle', () => {
  it("sends through ioredis' call(command, ...args) while the call's signal is live", async () => {
    const calls: string[][] = [];
    const ioredis = { call: (...a: string[]) => (calls.push(a), Promise.resolve('OK')) };
    expect(await sendSingle(ioredis, ['SET', 'k', 'v'], new AbortController().signal)).toBe('OK');
    expect(calls).toEqual([['SET', 'k', 'v']]);
  });

  it('never sends over ioredis once the signal fired, and rejects with AbortError', async () => {
    const calls: string[][] = [];
    const ioredis = { call: (...a: string[]) => (calls.push(a), Promise.resolve('OK')) };
    const ac = new AbortController();
    ac.abort();
    await expect(sendSingle(ioredis, ['SET', 'k', 'v'], ac.signal)).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(calls).toEqual([]);
  });

  it("passes node-redis' sendCommand the args and the signal", async () => {
    const seen: unknown[] = [];
    const nodeRedis = {
      sendCommand: (args: string[], o: unknown) => (seen.push(args, o), Promise.resolve(1)),
    };
    const signal = new AbortController().signal;
    expect(await sendSingle(nodeRedis, ['INCR', 'n'], signal)).toBe(1);
    expect(seen).toEqual([['INCR', 'n'], { abortSignal: signal }]);
  });

  it("an ioredis 'Stream isn't writeable' rejection proves the step was not applied", async () => {
    const ioredis = {
      call: () =>
        Promise.reject(new Error("Stream isn't writeable and enableOfflineQueue options is false")),
    };
    const adapter = {
      name: 'r',
      connectionState: 'ready',
      topology: 'single',
      client: ioredis,
      on: () => () => undefined,
      executeRedisOperation: async (
        op: (c: unknown, s: AbortSignal) => Promise<unknown>,
        fallback: RedisFallback<unknown>,
      ) =>
        op(ioredis, new AbortController().signal).catch((e: unknown) => fallback('connection', e)),
    } as unknown as RecipeAdapter;
    const r = await new RecipeRedis(adapter).step(
      'set',
      'k',
      (send) => send(['SET', 'k', 'v'], 'k'),
      100,
    );
    expect(r).toMatchObject({ ok: false, reason: 'connection', maybeApplied: false });
  });
});
