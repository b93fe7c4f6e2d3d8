import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createFakeClock } from '@breakwater/breaker';
import { IoredisLifecycle, type IoredisClientLike } from './ioredis-lifecycle.js';

/** An object with ioredis' lifecycle surface whose status and events the test drives. */
class FakeIoredis extends EventEmitter implements IoredisClientLike {
  status = 'wait';
  stream: { destroyed: boolean; destroy(): void; ref?(): unknown; unref?(): unknown } | undefined =
    undefined;
  options: { socketTimeout?: number | undefined } = { socketTimeout: 25_000 };
  pings = 0;
  connects = 0;
  disconnects = 0;
  connect(): Promise<void> {
    this.connects++;
    this.status = 'connecting';
    return Promise.resolve();
  }
  disconnect(): void {
    this.disconnects++;
  }
  quit(): Promise<unknown> {
    return Promise.resolve('OK');
  }
  ping(): Promise<unknown> {
    this.pings++;
    return Promise.resolve('PONG');
  }
  /** Sets the status and emits it, as ioredis' setStatus does. */
  go(status: string, arg?: unknown): void {
    this.status = status;
    this.emit(status, arg);
  }
}

function setup(owned: boolean, pingInterval: number | false = false) {
  const clock = createFakeClock(0);
  const client = new FakeIoredis();
  const life = new IoredisLifecycle(client, { owned, pingInterval, clock });
  const seen: Array<[string, unknown]> = [];
  for (const e of ['ready', 'connect', 'reconnecting', 'terminated', 'end', 'error']) {
    life.on(e, (arg: unknown) => seen.push([e, arg]));
  }
  return { clock, client, life, seen };
}

describe('IoredisLifecycle', () => {
  it("an 'end' nobody asked for terminates an owned client with the last error as the cause", () => {
    const { client, life, seen } = setup(true);
    client.go('ready');
    expect(life.isReady).toBe(true);
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    client.emit('error', reset);
    client.go('close');
    client.go('end');
    expect(seen.map(([e]) => e)).toEqual(['ready', 'error', 'terminated']);
    expect(seen.at(-1)?.[1]).toBe(reset);
    expect(life.isOpen).toBe(false);
  });

  it("without an error the termination cause is ioredis' own 'Connection is closed.'", () => {
    const { client, seen } = setup(true);
    client.go('ready');
    client.go('end');
    expect((seen.at(-1)?.[1] as Error).message).toBe('Connection is closed.');
  });

  it("an adopted client's 'end' is reported as closed by its owner", () => {
    const { client, seen } = setup(false);
    client.go('ready');
    client.go('end');
    expect(seen.map(([e]) => e)).toEqual(['ready', 'end']);
  });

  it("destroy() drops the socket, swallows the 'end' it causes, and connect() waits for it", async () => {
    const { client, life, seen } = setup(true);
    client.go('ready');
    let destroyed = 0;
    client.stream = { destroyed: false, destroy: () => void destroyed++ };
    life.destroy();
    expect(client.disconnects).toBe(1);
    expect(destroyed).toBe(1);
    // Tearing down: no longer open or ready for the connection, though ioredis still says ready.
    expect(life.isOpen).toBe(false);
    expect(life.isReady).toBe(false);
    const connecting = life.connect();
    await Promise.resolve();
    expect(client.connects).toBe(0); // not before the old socket has ended
    client.go('end');
    await connecting;
    expect(client.connects).toBe(1);
    expect(seen.map(([e]) => e)).toEqual(['ready']); // that 'end' was ours
    life.destroy(); // idempotent on an ended client
  });

  it('unref() reaches the current socket and every later one until ref()', () => {
    const { client, life } = setup(true);
    const refs: string[] = [];
    const socket = (name: string) => ({
      destroyed: false,
      destroy: () => undefined,
      ref: () => refs.push(`${name}:ref`),
      unref: () => refs.push(`${name}:unref`),
    });
    client.stream = socket('a');
    life.unref();
    client.stream = socket('b'); // a reconnect: ioredis assigns the new socket silently
    client.go('connect');
    life.ref();
    client.stream = socket('c');
    client.go('connect'); // ref'ed again: a new socket keeps its default
    expect(refs).toEqual(['a:unref', 'b:unref', 'b:ref']);
  });

  it('sends a keepalive PING every pingInterval while ready, and stops when the socket closes', () => {
    const { clock, client } = setup(true, 100);
    client.go('ready');
    clock.advance(350);
    expect(client.pings).toBe(3);
    client.go('close');
    clock.advance(500);
    expect(client.pings).toBe(3);
    expect(clock.pendingTimers()).toBe(0);
  });

  it("holds back ioredis' socketTimeout while unref'ed (its ref'ed timer would hold the process), restores it on ref()", () => {
    const { client, life } = setup(true);
    life.unref();
    expect(client.options.socketTimeout).toBeUndefined();
    life.unref(); // twice: still restores the original value
    life.ref();
    expect(client.options.socketTimeout).toBe(25_000);
    life.ref();
    expect(client.options.socketTimeout).toBe(25_000);
  });

  it("leaves an adopted client's socketTimeout alone", () => {
    const { client, life } = setup(false);
    life.unref();
    expect(client.options.socketTimeout).toBe(25_000);
  });
});
