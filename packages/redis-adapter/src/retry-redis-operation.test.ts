import {
  CircuitBreaker,
  RetryBudget,
  constantBackoff,
  createFakeClock,
  retry,
  type FakeClock,
} from '@breakwater/breaker';
import { SimpleError, SocketClosedUnexpectedlyError } from 'redis';
import { describe, expect, it } from 'vitest';
import {
  executeWithContext,
  isRedisAvailabilityFailure,
  type OperationConnection,
} from './execute-redis-operation.js';
import { retryRedisOperation } from './retry-redis-operation.js';
import type { RedisAdapterLike, RedisFailureKind } from './types.js';

type Client = { n: number };

/** The adapter's real call path (breaker, deadline, classification) on an always-ready connection. */
function setup(clock: FakeClock): Pick<RedisAdapterLike<Client>, 'executeRedisOperation'> {
  const connection: OperationConnection<Client> = {
    client: { n: 0 },
    epoch: 1,
    state: 'ready',
    isReady: () => true,
    waitForReady: () => Promise.resolve(true),
    notReadyCause: () => undefined,
    onDeadlineOverrun: () => undefined,
  };
  const breaker = new CircuitBreaker('redis', {
    timeout: 1000,
    isFailure: isRedisAvailabilityFailure,
    clock,
    failureThreshold: 100,
  });
  const ctx = {
    connection,
    breaker,
    reconnectGrace: 250,
    operationTimeout: 1000,
    clock,
    secrets: [],
    onFailure: () => undefined,
  };
  return { executeRedisOperation: (op, fb, name, o) => executeWithContext(ctx, op, fb, name, o) };
}

const flush = async (clock: FakeClock, steps = 20, ms = 1): Promise<void> => {
  for (let i = 0; i < steps; i++) {
    for (let j = 0; j < 10; j++) await Promise.resolve();
    clock.advance(ms);
  }
};

const fb = (kind: RedisFailureKind): string => `fallback:${kind}`;

describe('retryRedisOperation', () => {
  it('retries a connection failure and returns the value of a later attempt', async () => {
    const clock = createFakeClock(0);
    const adapter = setup(clock);
    let calls = 0;
    const p = retryRedisOperation(
      adapter,
      () => {
        if (++calls === 1) throw new SocketClosedUnexpectedlyError();
        return 'v';
      },
      fb,
      'get',
      { attempts: 3, backoff: constantBackoff(5), clock },
    );
    await flush(clock);
    await expect(p).resolves.toBe('v');
    expect(calls).toBe(2);
  });

  it('takes the fallback with the last failure once attempts run out; never retries a data error', async () => {
    const clock = createFakeClock(0);
    const adapter = setup(clock);
    let calls = 0;
    const p = retryRedisOperation(
      adapter,
      () => {
        calls++;
        throw new SimpleError('LOADING Redis is loading the dataset in memory');
      },
      fb,
      'get',
      { attempts: 3, backoff: constantBackoff(5), clock },
    );
    await flush(clock);
    await expect(p).resolves.toBe('fallback:server');
    expect(calls).toBe(3);

    let dataCalls = 0;
    const data = retryRedisOperation(
      adapter,
      () => {
        dataCalls++;
        throw new SimpleError('WRONGTYPE Operation against a key holding the wrong kind of value');
      },
      fb,
      'get',
      { attempts: 3, clock },
    );
    await expect(data).rejects.toThrow('WRONGTYPE');
    expect(dataCalls).toBe(1);
  });

  it('shares a RetryBudget: a refused retry takes the fallback at once', async () => {
    const clock = createFakeClock(0);
    const adapter = setup(clock);
    const budget = new RetryBudget({ clock, minRetriesPerSecond: 0, retryRatio: 0.5 });
    let calls = 0;
    const down = (): never => {
      calls++;
      throw new SocketClosedUnexpectedlyError();
    };
    const results: Promise<unknown>[] = [];
    for (let i = 0; i < 4; i++) {
      results.push(
        retryRedisOperation(adapter, down, fb, 'get', {
          attempts: 3,
          backoff: constantBackoff(1),
          budget,
          clock,
        }),
      );
    }
    await flush(clock);
    expect(await Promise.all(results)).toEqual(Array(4).fill('fallback:connection'));
    // 4 requests at 0.5 allow 2 retries in all: 4 + 2 executions, instead of 12.
    expect(calls).toBe(6);
    expect(budget.getStats()).toMatchObject({ requests: 4, retriesAllowed: 2 });
    // The same instance serves the breaker package's retry() for another dependency: it
    // counts its request and refuses its retry, since the Redis calls used the tokens up.
    let otherCalls = 0;
    const other = retry(
      () => {
        otherCalls++;
        throw new Error('other dependency down');
      },
      { attempts: 3, backoff: constantBackoff(1), budget },
    );
    await expect(other).rejects.toThrow('other dependency down');
    expect(otherCalls).toBe(1);
    expect(budget.getStats()).toMatchObject({ requests: 5, retriesAllowed: 2, retriesRefused: 5 });
  });

  it('keeps to the overall timeout: each attempt gets what is left, no sleep runs past it', async () => {
    const clock = createFakeClock(0);
    const adapter = setup(clock);
    const started: number[] = [];
    const p = retryRedisOperation(
      adapter,
      () => {
        started.push(clock.now());
        return new Promise(() => {}); // hangs: each attempt times out
      },
      fb,
      'get',
      { attempts: 5, retryOn: ['timeout'], backoff: constantBackoff(1000), timeout: 300, clock },
    );
    await flush(clock, 400, 1);
    await expect(p).resolves.toBe('fallback:timeout');
    expect(started).toEqual([0]);
  });

  it('never retries circuit-open, and rejects options that cannot work', async () => {
    expect(() =>
      retryRedisOperation(setup(createFakeClock()), () => 1, fb, 'get', {
        retryOn: ['circuit-open'],
      }),
    ).toThrow('retryOn must not contain "circuit-open"');
    expect(() =>
      retryRedisOperation(setup(createFakeClock()), () => 1, fb, 'get', { attempts: 0 }),
    ).toThrow('attempts must be an integer >= 1, got 0');
    expect(() =>
      retryRedisOperation(setup(createFakeClock()), () => 1, fb, 'get', { tries: 2 } as never),
    ).toThrow('unknown option "tries"');
    // a typo would otherwise mean "never retry", silently
    expect(() =>
      retryRedisOperation(setup(createFakeClock()), () => 1, fb, 'get', {
        retryOn: ['timout'] as never,
      }),
    ).toThrow('retryOn: unknown failure kind "timout"');
  });
});
