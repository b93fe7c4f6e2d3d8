import { describe, expect, it } from 'vitest';
import {
  CircuitBreaker,
  createFakeClock,
  isTimeoutError,
  type FakeClock,
} from '@breakwater/breaker';
import { SimpleError, SocketClosedUnexpectedlyError } from 'redis';
import { RedisAuthenticationError, isRedisNotReadyError } from './errors.js';
import {
  executeWithContext,
  isRedisAvailabilityFailure,
  type OperationConnection,
  type OperationContext,
} from './execute-redis-operation.js';
import type { RedisAdapterEvents, RedisConnectionState, RedisFailureKind } from './types.js';

interface Client {
  calls: number;
}

class FakeConnection implements OperationConnection<Client> {
  epoch = 1;
  state: RedisConnectionState = 'ready';
  notReadySince: number | undefined = undefined;
  cause: Error | undefined;
  overruns: number[] = [];
  private waiters: Array<() => void> = [];
  readonly client: Client = { calls: 0 };
  constructor(private readonly clock: FakeClock) {}
  isReady(): boolean {
    return this.state === 'ready';
  }
  waitForReady(ms: number): Promise<boolean> {
    if (this.isReady()) return Promise.resolve(true);
    if (this.state === 'failed') return Promise.resolve(false);
    return new Promise((resolve) => {
      const t = this.clock.setTimeout(() => resolve(false), ms);
      this.waiters.push(() => {
        this.clock.clearTimeout(t);
        resolve(true);
      });
    });
  }
  becomeReady(): void {
    this.state = 'ready';
    this.epoch++;
    for (const w of this.waiters.splice(0)) w();
  }
  notReadyCause(): Error | undefined {
    return this.cause;
  }
  onDeadlineOverrun(epoch: number): void {
    this.overruns.push(epoch);
  }
}

function setup() {
  const clock = createFakeClock(0);
  const connection = new FakeConnection(clock);
  const breaker = new CircuitBreaker('redis', {
    timeout: 1000,
    isFailure: isRedisAvailabilityFailure,
    clock,
    failureThreshold: 5,
    resetTimeout: 5000,
  });
  const failures: string[] = [];
  const events: Array<RedisAdapterEvents['operation']> = [];
  const ctx: OperationContext<Client> = {
    connection,
    breaker,
    reconnectGrace: 250,
    operationTimeout: 1000,
    clock,
    secrets: ['pw123'],
    onFailure: (op, kind) => failures.push(`${op}:${kind}`),
    operationEvents: { hasListeners: () => true, emit: (p) => events.push(p) },
  };
  const fallbacks: Array<{ kind: RedisFailureKind; error: unknown }> = [];
  const fb = (kind: RedisFailureKind, error: unknown) => {
    fallbacks.push({ kind, error });
    return `fallback:${kind}`;
  };
  return { clock, connection, breaker, ctx, failures, events, fallbacks, fb };
}

/** Lets promise callbacks run (fake time does not move). */
const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('executeWithContext', () => {
  it('returns the value and emits a success event', async () => {
    const { ctx, events, fb } = setup();
    expect(await executeWithContext(ctx, (c) => ++c.calls, fb, 'get')).toBe(1);
    expect(events).toEqual([{ operation: 'get', result: 'success', durationMs: 0 }]);
  });

  it('a hung command settles with fallback(timeout) exactly at the deadline and reports the overrun', async () => {
    const { ctx, clock, connection, fallbacks, fb, events, failures } = setup();
    let settled = false;
    const p = executeWithContext(ctx, () => new Promise<never>(() => {}), fb, 'get').then((v) => {
      settled = true;
      return v;
    });
    clock.advance(999);
    await flush();
    expect(settled).toBe(false);
    clock.advance(1);
    expect(await p).toBe('fallback:timeout');
    expect(isTimeoutError(fallbacks[0]!.error)).toBe(true);
    expect(connection.overruns).toEqual([1]);
    expect(failures).toEqual(['get:timeout']);
    expect(events[0]).toEqual({
      operation: 'get',
      result: 'fallback',
      reason: 'timeout',
      durationMs: 1000,
    });
  });

  it('honours a per-call timeout and passes an AbortSignal that aborts at the deadline', async () => {
    const { ctx, clock, fb } = setup();
    let signal: AbortSignal | undefined;
    const p = executeWithContext(
      ctx,
      (_c, s) => {
        signal = s;
        return new Promise<never>(() => {});
      },
      fb,
      'get',
      { timeout: 50 },
    );
    clock.advance(50);
    expect(await p).toBe('fallback:timeout');
    expect(signal?.aborted).toBe(true);
  });

  it('not ready: waits the grace, then falls back with not-ready without calling op', async () => {
    const { ctx, clock, connection, fallbacks, fb } = setup();
    connection.state = 'reconnecting';
    const p = executeWithContext(ctx, (c) => ++c.calls, fb, 'get');
    clock.advance(249);
    await flush();
    clock.advance(1);
    expect(await p).toBe('fallback:not-ready');
    expect(isRedisNotReadyError(fallbacks[0]!.error)).toBe(true);
    expect(connection.client.calls).toBe(0);
    expect(connection.overruns).toEqual([]);
  });

  it('not ready, then ready within the grace: the call is served', async () => {
    const { ctx, clock, connection, fb } = setup();
    connection.state = 'reconnecting';
    const p = executeWithContext(ctx, (c) => ++c.calls, fb, 'get');
    clock.advance(100);
    connection.becomeReady();
    expect(await p).toBe(1);
  });

  it('a deadline shorter than the grace wins, and op never runs late', async () => {
    const { ctx, clock, connection, fb } = setup();
    connection.state = 'reconnecting';
    const p = executeWithContext(ctx, (c) => ++c.calls, fb, 'get', { timeout: 100 });
    clock.advance(100);
    expect(await p).toBe('fallback:timeout');
    connection.becomeReady();
    await flush();
    expect(connection.client.calls).toBe(0);
  });

  it("a caller's abort while waiting for the connection wins too: op never runs late", async () => {
    for (const takesSignal of [false, true]) {
      const { ctx, clock, connection, fb, fallbacks } = setup();
      connection.state = 'reconnecting';
      const ac = new AbortController();
      const op = takesSignal
        ? (c: Client, _signal: AbortSignal) => ++c.calls
        : (c: Client) => ++c.calls;
      const p = executeWithContext(ctx, op, fb, 'set', { signal: ac.signal });
      clock.advance(50);
      ac.abort(new Error('client went away'));
      await expect(p).rejects.toThrow('client went away');
      connection.becomeReady();
      await flush();
      expect(connection.client.calls).toBe(0);
      expect(fallbacks).toEqual([]);
    }
  });

  it('a failed connection falls back at once with the kind of its typed error', async () => {
    const { ctx, connection, fb } = setup();
    connection.state = 'failed';
    connection.cause = new RedisAuthenticationError('Redis authentication failed');
    expect(await executeWithContext(ctx, (c) => ++c.calls, fb, 'get')).toBe('fallback:auth');
  });

  it.each([
    ['ready', 'ready'],
    ['down (where a fallback used to hide the bug)', 'failed'],
  ] as const)(
    'an op that is not a function rejects with a TypeError, never throws, never falls back (%s)',
    async (_label, state) => {
      const { ctx, connection, fb, fallbacks, breaker } = setup();
      connection.state = state;
      connection.cause = new RedisAuthenticationError('x');
      for (const op of [undefined, null, 42, 'get', {}]) {
        let p: Promise<unknown> | undefined;
        expect(() => {
          p = executeWithContext(ctx, op as never, fb, 'get');
        }).not.toThrow();
        await expect(p).rejects.toThrow(TypeError);
        await expect(p).rejects.toThrow(/op must be a function/);
      }
      expect(fallbacks).toEqual([]);
      expect(breaker.getStats().state).toBe('closed');
    },
  );

  it('data errors propagate unchanged, are reported as data and do not count', async () => {
    const { ctx, breaker, failures, fb, fallbacks, events } = setup();
    const wrongType = new SimpleError(
      'WRONGTYPE Operation against a key holding the wrong kind of value',
    );
    for (let i = 0; i < 10; i++) {
      await expect(
        executeWithContext(ctx, () => Promise.reject(wrongType), fb, 'lpush'),
      ).rejects.toBe(wrongType);
    }
    expect(breaker.getStats()).toMatchObject({ state: 'closed', failureCount: 0 });
    expect(fallbacks).toEqual([]);
    expect(failures[0]).toBe('lpush:data');
    expect(events[0]!.result).toBe('error');
  });

  it('without operation listeners (the hot path): same outcomes, data errors still reported once', async () => {
    const { ctx, breaker, failures, fb, fallbacks, events } = setup();
    const quiet: OperationContext<Client> = {
      ...ctx,
      operationEvents: { listening: { on: false }, emit: (p) => events.push(p) },
    };
    const wrongType = new SimpleError('WRONGTYPE Operation against a key holding the wrong kind');
    await expect(
      executeWithContext(quiet, () => Promise.reject(wrongType), fb, 'lpush'),
    ).rejects.toBe(wrongType);
    expect(
      await executeWithContext(
        quiet,
        () => Promise.reject(new SocketClosedUnexpectedlyError()),
        fb,
        'get',
      ),
    ).toBe('fallback:connection');
    const ac = new AbortController();
    const aborted = executeWithContext(quiet, () => new Promise<never>(() => {}), fb, 'get', {
      signal: ac.signal,
    });
    ac.abort(new Error('client went away'));
    await expect(aborted).rejects.toThrow('client went away');
    expect(await executeWithContext(quiet, (c) => ++c.calls, fb, 'get')).toBe(1);
    await flush();
    expect(failures).toEqual(['lpush:data', 'get:connection']);
    expect(fallbacks.map((f) => f.kind)).toEqual(['connection']);
    expect(events).toEqual([]);
    expect(breaker.getStats()).toMatchObject({ state: 'closed', failureCount: 1 });
  });

  it('connection errors count: the breaker opens and then short-circuits without calling op', async () => {
    const { ctx, breaker, fb, connection } = setup();
    for (let i = 0; i < 5; i++) {
      expect(
        await executeWithContext(
          ctx,
          () => Promise.reject(new SocketClosedUnexpectedlyError()),
          fb,
          'get',
        ),
      ).toBe('fallback:connection');
    }
    expect(breaker.state).toBe('open');
    expect(await executeWithContext(ctx, (c) => ++c.calls, fb, 'get')).toBe(
      'fallback:circuit-open',
    );
    expect(connection.client.calls).toBe(0);
  });

  it("the caller's abort rejects with its reason and is neutral", async () => {
    const { ctx, breaker, fb, fallbacks } = setup();
    const ac = new AbortController();
    const p = executeWithContext(ctx, () => new Promise<never>(() => {}), fb, 'get', {
      signal: ac.signal,
    });
    ac.abort(new Error('client went away'));
    await expect(p).rejects.toThrow('client went away');
    expect(fallbacks).toEqual([]);
    expect(breaker.getStats().failureCount).toBe(0);
  });

  it('the fallback receives a redacted error', async () => {
    const { ctx, fb, fallbacks } = setup();
    await executeWithContext(
      ctx,
      () =>
        Promise.reject(Object.assign(new Error('read ECONNRESET pw123'), { code: 'ECONNRESET' })),
      fb,
      'get',
    );
    expect((fallbacks[0]!.error as Error).message).toBe('read ECONNRESET ***');
  });

  it('waits only what is left of the grace since the connection went down, then falls back at once', async () => {
    const { ctx, clock, connection, fallbacks, fb } = setup();
    connection.state = 'reconnecting';
    connection.notReadySince = clock.now();

    // 100 ms into the outage: a call waits the remaining 150 ms, not a whole grace.
    clock.advance(100);
    let first: unknown;
    const p1 = executeWithContext(ctx, (c) => ++c.calls, fb, 'get').then((v) => (first = v));
    clock.advance(149);
    await flush();
    expect(first).toBeUndefined();
    clock.advance(1);
    await flush();
    expect(await p1).toBe('fallback:not-ready');

    // Past the grace: the next call takes the fallback without waiting for any time to pass.
    let second: unknown;
    void executeWithContext(ctx, (c) => ++c.calls, fb, 'get').then((v) => (second = v));
    await flush();
    expect(second).toBe('fallback:not-ready');
    expect(connection.client.calls).toBe(0);
    expect(fallbacks.map((f) => f.kind)).toEqual(['not-ready', 'not-ready']);

    // A connection that does not know when it went down keeps the per-call grace.
    connection.notReadySince = undefined;
    let third: unknown;
    void executeWithContext(ctx, (c) => ++c.calls, fb, 'get').then((v) => (third = v));
    await flush();
    expect(third).toBeUndefined();
    clock.advance(250);
    await flush();
    expect(third).toBe('fallback:not-ready');
  });
});
