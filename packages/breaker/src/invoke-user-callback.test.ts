import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Emitter } from './emitter.js';
import { describeThrown, invokeUserCallback } from './invoke-user-callback.js';

/** Values a hostile or buggy callback may throw or return. */
function hostile(): Array<[string, unknown]> {
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const badMessage = new Error('x');
  Object.defineProperty(badMessage, 'message', {
    get() {
      throw new Error('message getter');
    },
  });
  const badName = new TypeError('y');
  Object.defineProperty(badName, 'name', {
    get() {
      throw new Error('name getter');
    },
  });
  const badToString = {
    toString() {
      throw new Error('toString');
    },
  };
  return [
    ['an Error', new Error('boom')],
    ['a string', 'boom'],
    ['undefined', undefined],
    ['null', null],
    ['a revoked Proxy', revoked.proxy],
    ['an Error whose message getter throws', badMessage],
    ['an Error whose name getter throws', badName],
    ['an object whose toString throws', badToString],
    ['a symbol', Symbol('s')],
  ];
}

/** Unhandled rejections seen while a test runs (vitest would also fail the run on one). */
let unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
beforeEach(() => {
  unhandled = [];
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => {
  process.off('unhandledRejection', onUnhandled);
});
/** Enough turns for a rejection to be reported unhandled if it were. */
const turns = async (): Promise<void> => {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
};

describe('invokeUserCallback', () => {
  it.each(hostile())('contains a synchronous throw of %s', async (_label, value) => {
    expect(() =>
      invokeUserCallback('test', () => {
        throw value;
      }),
    ).not.toThrow();
    await turns();
    expect(unhandled).toEqual([]);
  });

  it.each(hostile())('contains a returned promise rejecting with %s', async (_label, value) => {
    invokeUserCallback('test', async () => {
      await Promise.resolve();
      throw value;
    });
    await turns();
    expect(unhandled).toEqual([]);
  });

  it('contains a revoked Proxy or a throwing `then` as the return value', async () => {
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const badThen = {
      get then() {
        throw new Error('then getter');
      },
    };
    expect(() => invokeUserCallback('test', () => revoked.proxy)).not.toThrow();
    expect(() => invokeUserCallback('test', () => badThen)).not.toThrow();
    await turns();
    expect(unhandled).toEqual([]);
  });

  it('passes the arguments and ignores the result', () => {
    const seen: unknown[] = [];
    invokeUserCallback('test', (a: number, b: string) => seen.push(a, b), 1, 'two');
    expect(seen).toEqual([1, 'two']);
  });
});

describe('describeThrown', () => {
  it.each(hostile())('describes %s without throwing', (_label, value) => {
    expect(typeof describeThrown(value)).toBe('string');
  });

  it('names an Error by name and message, and never shows an object', () => {
    expect(describeThrown(new RangeError('bad'))).toBe('RangeError: bad');
    expect(describeThrown({ password: 'pw' })).toBe('an object');
  });
});

describe('Emitter with hostile listeners', () => {
  it('a listener that throws anything or rejects does not disturb the others or the emitter', async () => {
    const e = new Emitter<{ tick: number }>();
    const seen: number[] = [];
    for (const [, value] of hostile()) {
      e.on('tick', () => {
        throw value;
      });
      e.on('tick', async () => {
        throw value;
      });
    }
    e.on('tick', (n) => seen.push(n));
    expect(() => e.emit('tick', 1)).not.toThrow();
    expect(seen).toEqual([1]);
    await turns();
    expect(unhandled).toEqual([]);
  });
});
