/**
 * Drives an ioredis client through the surface {@link RedisConnection} drives node-redis with
 * ({@link NodeRedisClientLike}), so the one connection state machine, reconnect loop, handshake
 * watchdog and deadline-overrun replacement serve both clients.
 *
 * Mapping: ioredis `status` → isOpen / isReady; its 'ready', 'connect', 'reconnecting' and
 * 'error' events pass through; an 'end' nobody asked for becomes 'terminated' (carrying the last
 * error, from which the connection reads "permanent: stop" or "transient: reconnect") for a
 * client the adapter owns, and 'end' (closed by its owner) for an adopted one. `destroy()` drops
 * the socket at once (ioredis' own `disconnect()` only half-closes it, which a frozen server
 * never answers) and swallows the 'end' it causes. ioredis has no keepalive PING: the shim sends
 * one every `pingInterval` while ready. ref()/unref() reach ioredis' socket, so a reconnect
 * attempt nobody awaits never keeps a finished process alive (see connection.ts). They also
 * reach ioredis' `socketTimeout`: its timer, armed by the handshake's first write, is a plain
 * ref'ed `setTimeout`, so while unref'ed the option is held back (the adapter's handshake
 * watchdog bounds that phase) and it is restored by ref(), once ready. Without this, a
 * background attempt on a frozen server held a finished process until the watchdog (+1 s
 * with connectTimeout 1000, measured).
 */
import type { Clock } from '@breakwater/breaker';
import type { NodeRedisClientLike } from '../connection.js';

/** The ioredis surface the shim relies on (public API only). */
export interface IoredisClientLike {
  readonly status: string;
  readonly stream?:
    { destroyed?: boolean; destroy(): void; ref?(): unknown; unref?(): unknown } | undefined;
  /** ioredis' live options (public): `socketTimeout` is read each time its timer is armed. */
  readonly options?: { socketTimeout?: number | undefined };
  connect(): Promise<void>;
  disconnect(reconnect?: boolean): void;
  quit(): Promise<unknown>;
  ping(): Promise<unknown>;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** Options of {@link IoredisLifecycle}. */
export interface IoredisLifecycleOptions {
  /** True when the adapter made the client (its retryStrategy never retries). */
  owned: boolean;
  /** Keepalive PING interval in ms while ready; `false`: none. */
  pingInterval: number | false;
  clock: Clock;
}

type Listener = (...args: unknown[]) => void;

/** ioredis seen as a node-redis client by the connection. */
export class IoredisLifecycle implements NodeRedisClientLike {
  private readonly listeners = new Map<string, Set<Listener>>();
  /** The last 'error' since the current attempt started (the cause of a termination). */
  private lastError: unknown = undefined;
  /** Set by destroy() until the 'end' it causes arrives. */
  private ending: Promise<void> | undefined = undefined;
  private endingDone: (() => void) | undefined = undefined;
  private pingTimer: unknown = undefined;
  /** Set by unref() until ref(): every socket the client makes meanwhile is unref'ed. */
  private unrefed = false;
  /** ioredis' `socketTimeout`, held back while unref'ed (its timer would hold the process). */
  private heldSocketTimeout: number | undefined = undefined;

  constructor(
    private readonly client: IoredisClientLike,
    private readonly options: IoredisLifecycleOptions,
  ) {
    client.on('error', (error: unknown) => {
      this.lastError = error;
      this.emit('error', error);
    });
    client.on('ready', () => {
      this.schedulePing();
      this.emit('ready');
    });
    client.on('connect', () => {
      // ioredis assigns a new socket with no event of its own; 'connect' (TCP/TLS up, handshake
      // pending) is the first moment the shim sees it. Before that, a connecting socket is
      // bounded by ioredis' connectTimeout (the adapter's connectTimeout).
      if (this.unrefed) this.client.stream?.unref?.();
      this.emit('connect');
    });
    client.on('reconnecting', () => this.emit('reconnecting'));
    client.on('close', () => this.stopPing());
    client.on('end', () => this.onEnd());
  }

  /** A socket exists or is being made (one destroy() is tearing down does not count). */
  get isOpen(): boolean {
    const s = this.client.status;
    return this.ending === undefined && s !== 'end' && s !== 'wait';
  }

  get isReady(): boolean {
    return this.ending === undefined && this.client.status === 'ready';
  }

  /** Starts an attempt, once the socket a destroy() dropped has finished closing. */
  async connect(): Promise<void> {
    if (this.ending !== undefined) await this.ending;
    this.lastError = undefined;
    return this.client.connect();
  }

  /** Lets the socket keep the process alive (the connection calls this once ready). */
  ref(): void {
    this.unrefed = false;
    const options = this.client.options;
    if (this.heldSocketTimeout !== undefined && options !== undefined) {
      options.socketTimeout = this.heldSocketTimeout;
      this.heldSocketTimeout = undefined;
    }
    this.client.stream?.ref?.();
  }

  /** Stops this socket, and every later one until ref(), keeping the process alive. */
  unref(): void {
    this.unrefed = true;
    const options = this.client.options;
    if (this.options.owned && options?.socketTimeout !== undefined) {
      this.heldSocketTimeout = options.socketTimeout;
      options.socketTimeout = undefined;
    }
    this.client.stream?.unref?.();
  }

  /** Drops the socket now; the 'end' this causes is not reported. Idempotent. */
  destroy(): void {
    this.stopPing();
    const status = this.client.status;
    if (status === 'end' || this.ending !== undefined) return;
    this.ending = new Promise<void>((resolve) => (this.endingDone = resolve));
    this.client.disconnect(false);
    const stream = this.client.stream;
    if (stream !== undefined && stream.destroyed !== true) stream.destroy();
  }

  /**
   * QUIT: lets pending replies arrive, then resolves once the socket has closed. Whatever the
   * outcome (QUIT rejected, the socket already ended), the 'end' listener it adds is removed.
   */
  async close(): Promise<void> {
    this.stopPing();
    const client = this.client;
    let onEnd: () => void = () => undefined;
    const ended = new Promise<void>((resolve) => {
      onEnd = resolve;
      client.on('end', onEnd);
    });
    try {
      await client.quit();
      if (client.status !== 'end') await ended;
    } finally {
      client.off('end', onEnd);
    }
  }

  on(event: string, listener: Listener): unknown {
    let set = this.listeners.get(event);
    if (set === undefined) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return this;
  }

  off(event: string, listener: Listener): unknown {
    this.listeners.get(event)?.delete(listener);
    return this;
  }

  private emit(event: string, arg?: unknown): void {
    const set = this.listeners.get(event);
    if (set === undefined) return;
    for (const fn of [...set]) fn(arg);
  }

  private onEnd(): void {
    this.stopPing();
    const done = this.endingDone;
    if (done !== undefined) {
      this.ending = undefined;
      this.endingDone = undefined;
      done();
      return;
    }
    if (!this.options.owned) {
      this.emit('end');
      return;
    }
    const cause = this.lastError ?? new Error('Connection is closed.');
    this.lastError = undefined;
    this.emit('terminated', cause);
  }

  private schedulePing(): void {
    const every = this.options.pingInterval;
    if (every === false) return;
    this.stopPing();
    const clock = this.options.clock;
    const tick = (): void => {
      this.pingTimer = clock.setTimeout(tick, every);
      if (this.client.status === 'ready') this.client.ping().catch(() => undefined);
    };
    this.pingTimer = clock.setTimeout(tick, every);
  }

  private stopPing(): void {
    if (this.pingTimer === undefined) return;
    this.options.clock.clearTimeout(this.pingTimer);
    this.pingTimer = undefined;
  }
}
