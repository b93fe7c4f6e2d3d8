/**
 * Operation observers: one call per settled operation, no event object, before the caller resumes;
 * operation counts: the same outcomes as plain integers, read when wanted.
 */
import { describe, expect, it } from 'vitest';
import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import { BREAKER_CHANNELS, CircuitBreaker, createFakeClock } from '@breakwater/breaker';
import { REDIS_CHANNELS, type RedisOperationTraceContext } from './diagnostics.js';
import { SimpleError } from 'redis';
import { AdapterCore, adapterBreakerOptions } from './adapter-core.js';
import { executeWithContext, type OperationConnection } from './execute-redis-operation.js';
import { resolveRedisAdapterOptions } from './resolve-redis-adapter-options.js';
import { RedisCorruptValueError } from './errors.js';
import { MAX_COUNTED_OPERATIONS } from './operation-counts.js';
import type {
  RedisErrorReport,
  RedisFailureKind,
  RedisFallbackReason,
  RedisOperationResult,
} from './types.js';

function setup() {
  const clock = createFakeClock(1000);
  const reports: RedisErrorReport[] = [];
  const options = resolveRedisAdapterOptions({
    clock,
    operationTimeout: 100,
    reconnectGrace: 0,
    reporter: (r) => reports.push(r),
  });
  const core = new AdapterCore(options);
  const breaker = new CircuitBreaker(
    'obs',
    adapterBreakerOptions(options, () => false),
  );
  let ready = true;
  const connection: OperationConnection<null> = {
    client: null,
    epoch: 1,
    get state() {
      return ready ? 'ready' : 'reconnecting';
    },
    isReady: () => ready,
    waitForReady: async () => ready,
    notReadyCause: () => undefined,
    onDeadlineOverrun: () => undefined,
  };
  const ctx = core.context(connection, breaker);
  return { clock, core, ctx, breaker, reports, setReady: (r: boolean) => (ready = r) };
}

type Seen = [string, RedisOperationResult, RedisFallbackReason | undefined, number];

describe('observeOperations', () => {
  it('sees every outcome once, with its duration, before the caller resumes', async () => {
    const { clock, core, ctx, setReady } = setup();
    const seen: Seen[] = [];
    core.observeOperations((...args) => seen.push(args));
    const fb = (kind: RedisFailureKind) => `fb:${kind}`;

    const slow = executeWithContext(
      ctx,
      () => new Promise((r) => clock.setTimeout(() => r('v'), 30)),
      fb,
      'get',
    );
    clock.advance(30);
    expect(await slow).toBe('v');
    expect(seen).toEqual([['get', 'success', undefined, 30]]);

    const hung = executeWithContext(ctx, () => new Promise(() => {}), fb, 'hung');
    clock.advance(100);
    expect(await hung).toBe('fb:timeout');
    expect(seen.at(-1)).toEqual(['hung', 'fallback', 'timeout', 100]);

    await expect(
      executeWithContext(ctx, () => Promise.reject(new SimpleError('WRONGTYPE x')), fb, 'data'),
    ).rejects.toThrow('WRONGTYPE');
    expect(seen.at(-1)).toEqual(['data', 'error', undefined, 0]);

    setReady(false);
    expect(await executeWithContext(ctx, () => 'never', fb, 'down')).toBe('fb:not-ready');
    expect(seen.at(-1)).toEqual(['down', 'fallback', 'not-ready', 0]);
    expect(seen).toHaveLength(4);
  });

  it('a fallback that throws or rejects is an error; async fallbacks and signalled calls are seen once', async () => {
    const { core, ctx, breaker } = setup();
    const seen: Seen[] = [];
    core.observeOperations((...args) => seen.push(args));
    const down = () => Promise.reject(Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
    const thrown = new Error('fallback bug');
    await expect(
      executeWithContext(
        ctx,
        down,
        () => {
          throw thrown;
        },
        'throws',
      ),
    ).rejects.toBe(thrown);
    await expect(
      executeWithContext(ctx, down, () => Promise.reject(thrown), 'rejects'),
    ).rejects.toBe(thrown);
    expect(await executeWithContext(ctx, down, async () => 'late', 'async')).toBe('late');
    const controller = new AbortController();
    expect(
      await executeWithContext(
        ctx,
        async () => 'v',
        () => 'fb',
        'signalled',
        {
          signal: controller.signal,
        },
      ),
    ).toBe('v');
    breaker.forceOpen();
    expect(
      await executeWithContext(
        ctx,
        async () => 'v',
        () => 'fb',
        'open',
      ),
    ).toBe('fb');
    expect(seen.map(([op, result, reason]) => [op, result, reason])).toEqual([
      ['throws', 'error', undefined],
      ['rejects', 'error', undefined],
      ['async', 'fallback', 'connection'],
      ['signalled', 'success', undefined],
      ['open', 'fallback', 'circuit-open'],
    ]);
  });

  it('a call the breaker refuses for a bad per-call timeout (no hook runs) is still seen once', async () => {
    const { core, ctx } = setup();
    const seen: Seen[] = [];
    core.observeOperations((...args) => seen.push(args));
    for (const timeout of [0, -5, Number.NaN, Infinity]) {
      await expect(
        executeWithContext(
          ctx,
          async () => 'v',
          () => 'fb',
          'bad',
          { timeout },
        ),
      ).rejects.toThrow(RangeError);
    }
    expect(
      await executeWithContext(
        ctx,
        async () => 'v',
        () => 'fb',
        'ok',
        { timeout: 5 },
      ),
    ).toBe('v');
    expect(seen.map(([op, result]) => [op, result])).toEqual([
      ['bad', 'error'],
      ['bad', 'error'],
      ['bad', 'error'],
      ['bad', 'error'],
      ['ok', 'success'],
    ]);
  });

  it('traced, with breaker call subscribers and an observer at once: each outcome seen once', async () => {
    const { clock, core, ctx, breaker } = setup();
    const seen: Seen[] = [];
    core.observeOperations((...args) => seen.push(args));
    const traced: RedisOperationTraceContext[] = [];
    const outcomes: string[] = [];
    const tc = tracingChannel<unknown, RedisOperationTraceContext>(REDIS_CHANNELS.operation);
    const handlers = {
      start: () => undefined,
      end: () => undefined,
      asyncStart: (c: RedisOperationTraceContext) => traced.push(c),
      asyncEnd: () => undefined,
      error: () => undefined,
    };
    const onCall = (m: unknown) => outcomes.push((m as { outcome: string }).outcome);
    tc.subscribe(handlers);
    subscribe(BREAKER_CHANNELS.call, onCall);
    try {
      const fb = (kind: RedisFailureKind) => `fb:${kind}`;
      const down = () => Promise.reject(Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
      expect(await executeWithContext(ctx, async () => 'v', fb, 'ok')).toBe('v');
      expect(await executeWithContext(ctx, down, fb, 'down')).toBe('fb:connection');
      await expect(
        executeWithContext(ctx, () => Promise.reject(new SimpleError('WRONGTYPE')), fb, 'data'),
      ).rejects.toThrow('WRONGTYPE');
      const hung = executeWithContext(ctx, () => new Promise(() => {}), fb, 'hung');
      clock.advance(100);
      expect(await hung).toBe('fb:timeout');
      breaker.forceOpen();
      expect(await executeWithContext(ctx, async () => 'v', fb, 'open')).toBe('fb:circuit-open');
    } finally {
      tc.unsubscribe(handlers);
      unsubscribe(BREAKER_CHANNELS.call, onCall);
    }
    expect(seen.map(([op, result, reason]) => [op, result, reason])).toEqual([
      ['ok', 'success', undefined],
      ['down', 'fallback', 'connection'],
      ['data', 'error', undefined],
      ['hung', 'fallback', 'timeout'],
      ['open', 'fallback', 'circuit-open'],
    ]);
    expect(outcomes).toEqual(['success', 'failure', 'ignored', 'timeout', 'rejected']);
    expect(traced.map((c) => [c.operation, c.fallback])).toEqual([
      ['ok', undefined],
      ['down', 'connection'],
      ['data', undefined],
      ['hung', 'timeout'],
      ['open', 'circuit-open'],
    ]);
  });

  it('counts a corrupt stored value as fallback `corrupt`, reports it, and spares the breaker', async () => {
    const { core, ctx, breaker, reports } = setup();
    const seen: Seen[] = [];
    const events: unknown[] = [];
    core.observeOperations((...args) => seen.push(args));
    core.events.on('operation', (e) => events.push(e));
    const corrupt = new RedisCorruptValueError('stored value is not valid JSON');
    let fallbackCalls = 0;
    for (let i = 0; i < 20; i++) {
      const p = executeWithContext(
        ctx,
        () => Promise.reject(corrupt),
        () => fallbackCalls++,
        'cache.get',
      );
      // Rejects unchanged: the op's own code answers from its contract.
      await expect(p).rejects.toBe(corrupt);
    }
    expect(fallbackCalls).toBe(0);
    expect(seen).toHaveLength(20);
    expect(seen[0]).toEqual(['cache.get', 'fallback', 'corrupt', 0]);
    expect(events[0]).toEqual({
      operation: 'cache.get',
      result: 'fallback',
      reason: 'corrupt',
      durationMs: 0,
    });
    // Redis answered 20 times: the breaker counted none of it as a failure.
    expect(breaker.state).toBe('closed');
    expect(breaker.getStats().failureCount).toBe(0);
    expect(breaker.getStats().lastFailureTime).toBeNull();
    expect(reports[0]).toMatchObject({
      operation: 'cache.get',
      kind: 'corrupt',
      message: '[cache.get] Redis error: corrupt: stored value is not valid JSON',
    });
    // Not a connection problem: health's last error stays empty.
    expect(core.lastError).toBeNull();
  });

  it('keeps serving when an observer throws, calls every observer, and unsubscribes', async () => {
    const { core, ctx } = setup();
    const a: string[] = [];
    const b: string[] = [];
    const offThrower = core.observeOperations(() => {
      throw new Error('observer bug');
    });
    const offA = core.observeOperations((op) => a.push(op));
    core.observeOperations((op) => b.push(op));
    expect(
      await executeWithContext(
        ctx,
        () => 1,
        () => 0,
        'one',
      ),
    ).toBe(1);
    offThrower();
    offThrower();
    offA();
    expect(
      await executeWithContext(
        ctx,
        () => 2,
        () => 0,
        'two',
      ),
    ).toBe(2);
    expect(a).toEqual(['one']);
    expect(b).toEqual(['one', 'two']);
    expect(() => core.observeOperations(42 as never)).toThrow(TypeError);
  });

  it('reads no clock for observers that want no durations', async () => {
    const { clock, core, ctx } = setup();
    const seen: Seen[] = [];
    core.observeOperations((...args) => seen.push(args), { durations: false });
    expect(core.operationObserver.timed).toBe(false);
    const p = executeWithContext(
      ctx,
      () => new Promise((r) => clock.setTimeout(() => r('v'), 30)),
      () => 'fb',
      'get',
    );
    clock.advance(30);
    expect(await p).toBe('v');
    expect(seen).toEqual([['get', 'success', undefined, NaN]]);
    const offTimed = core.observeOperations(() => undefined);
    expect(core.operationObserver.timed).toBe(true);
    offTimed();
    expect(core.operationObserver.timed).toBe(false);
    expect(() => core.observeOperations(() => undefined, { durations: 1 as never })).toThrow(
      /durations/,
    );
  });

  it('leaves the hot path alone while nobody observes', () => {
    const { core } = setup();
    expect(core.operationObserver.current).toBeUndefined();
    const off = core.observeOperations(() => undefined);
    expect(core.operationObserver.current).toBeTypeOf('function');
    off();
    expect(core.operationObserver.current).toBeUndefined();
  });
});

describe('countOperations', () => {
  const zeros = {
    'circuit-open': 0,
    timeout: 0,
    'not-ready': 0,
    connection: 0,
    server: 0,
    auth: 0,
    tls: 0,
    unknown: 0,
    corrupt: 0,
  };
  const down = () => Promise.reject(Object.assign(new Error('reset'), { code: 'ECONNRESET' }));

  it('counts every outcome once, as the observers see it, with no callback per call', async () => {
    const { core, ctx, breaker } = setup();
    const counter = core.countOperations();
    const seen: Seen[] = [];
    const run = (name: string, op: () => unknown, fb: () => unknown, signal?: AbortSignal) =>
      executeWithContext(ctx, op, fb, name, signal === undefined ? undefined : { signal });
    expect(
      await run(
        'get',
        async () => 'v',
        () => 'fb',
      ),
    ).toBe('v');
    expect(
      await run(
        'get',
        () => 'sync',
        () => 'fb',
      ),
    ).toBe('sync');
    expect(await run('get', down, () => 'fb')).toBe('fb');
    expect(await run('get', down, async () => 'late')).toBe('late');
    await expect(run('get', down, () => Promise.reject(new Error('fb bug')))).rejects.toThrow();
    await expect(
      run('get', down, () => {
        throw new Error('fb bug');
      }),
    ).rejects.toThrow();
    await expect(
      run(
        'get',
        () => Promise.reject(new SimpleError('WRONGTYPE x')),
        () => 'fb',
      ),
    ).rejects.toThrow('WRONGTYPE');
    await expect(
      run(
        'get',
        () => Promise.reject(new RedisCorruptValueError('stored value is not valid JSON')),
        () => 'fb',
      ),
    ).rejects.toThrow(RedisCorruptValueError);
    // A caller signal: watched with a reaction, not the hooks.
    expect(
      await run(
        'signalled',
        async () => 'v',
        () => 'fb',
        new AbortController().signal,
      ),
    ).toBe('v');
    const aborted = new AbortController();
    const pending = run(
      'signalled',
      () => new Promise(() => undefined),
      () => 'fb',
      aborted.signal,
    );
    aborted.abort(new Error('caller gave up'));
    await expect(pending).rejects.toThrow('caller gave up');
    breaker.forceOpen();
    expect(
      await run(
        'open',
        async () => 'v',
        () => 'fb',
      ),
    ).toBe('fb');
    // A bad per-call timeout: the breaker refuses it before any hook runs.
    await expect(
      executeWithContext(
        ctx,
        async () => 'v',
        () => 'fb',
        'bad',
        { timeout: -1 },
      ),
    ).rejects.toThrow(RangeError);

    expect(counter.read()).toEqual([
      {
        operation: 'get',
        success: 2,
        error: 3,
        fallback: { ...zeros, connection: 2, corrupt: 1 },
      },
      { operation: 'signalled', success: 1, error: 1, fallback: zeros },
      { operation: 'open', success: 0, error: 0, fallback: { ...zeros, 'circuit-open': 1 } },
      { operation: 'bad', success: 0, error: 1, fallback: zeros },
    ]);
    // An observer at the same time sees the same outcomes.
    core.observeOperations((...args) => seen.push(args), { durations: false });
    breaker.reset();
    expect(
      await run(
        'get',
        async () => 'v',
        () => 'fb',
      ),
    ).toBe('v');
    expect(seen).toEqual([['get', 'success', undefined, NaN]]);
    expect(counter.read()[0]).toMatchObject({ operation: 'get', success: 3 });
  });

  it('each counter reads from its opening; counting stops once none is open', async () => {
    const { core, ctx } = setup();
    const call = (name: string) =>
      executeWithContext(
        ctx,
        async () => 'v',
        () => 'fb',
        name,
      );
    expect(ctx.operationCounts?.current).toBeUndefined();
    const first = core.countOperations();
    expect(ctx.operationCounts?.current).toBeDefined();
    await call('a');
    await call('b');
    const second = core.countOperations();
    expect(second.read()).toEqual([]);
    await call('b');
    await call('c');
    const names = (c: { read(): { operation: string; success: number }[] }) =>
      c.read().map((x) => [x.operation, x.success]);
    expect(names(first)).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 1],
    ]);
    // `a` was counted before `second` opened and not called since: not listed.
    expect(names(second)).toEqual([
      ['b', 1],
      ['c', 1],
    ]);
    first.close();
    first.close();
    expect(first.read()).toEqual([]);
    await call('a');
    expect(names(second)).toEqual([
      ['a', 1],
      ['b', 1],
      ['c', 1],
    ]);
    second.close();
    expect(ctx.operationCounts?.current).toBeUndefined();
    await call('a');
    const third = core.countOperations();
    expect(third.read()).toEqual([]);
    await call('a');
    expect(names(third)).toEqual([['a', 1]]);
  });

  it('counts at most MAX_COUNTED_OPERATIONS names one by one, the rest (and no name) as `other`', async () => {
    const { core, ctx } = setup();
    const counter = core.countOperations();
    expect(counter.capacity).toBe(MAX_COUNTED_OPERATIONS);
    for (let i = 0; i < MAX_COUNTED_OPERATIONS + 3; i++) {
      await executeWithContext(
        ctx,
        () => 1,
        () => 0,
        `op${i}`,
      );
    }
    await executeWithContext(
      ctx,
      () => 1,
      () => 0,
      '' as string,
    );
    const read = counter.read();
    expect(read).toHaveLength(MAX_COUNTED_OPERATIONS + 1);
    expect(read.at(-1)).toMatchObject({ operation: 'other', success: 4 });
    expect(read.at(-2)).toMatchObject({ operation: `op${MAX_COUNTED_OPERATIONS - 1}`, success: 1 });
  });
});
