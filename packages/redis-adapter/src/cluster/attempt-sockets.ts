/**
 * The sockets node-redis opens while a Cluster or Sentinel client connects, so that a
 * connection attempt stays background work: it must not keep an otherwise finished process
 * alive (whoever awaits readiness holds the process: ReadyWaiters), as a single server's
 * attempt socket is unref'ed until ready (connection.ts).
 *
 * node-redis keeps these clients private: Sentinel's observe client (a new one per sentinel
 * asked), its sentinel pub/sub and master clients, a cluster's seed discovery client. A frozen
 * server (SIGSTOP, a stalled host: the kernel still accepts TCP) never answers their handshake,
 * so each holds a ref'ed socket until `socketTimeout` (25 s by default), and Sentinel's
 * `destroy()` waits for the stuck observe round. Measured before this file: a plain script whose
 * `connect()` settled at 1 s exited after 26 s (frozen sentinel), 27 s (frozen master the
 * sentinels still named) or 2–3 s (frozen cluster seed: the retry's discovery socket); after
 * it ~1 s. The frozen master then still took ~pingInterval (10.1 s): node-redis' keepalive PING
 * timer of the healthy sentinel connection is ref'ed and private. Timers armed inside the
 * attempt are therefore unref'ed too, by an async_hooks init hook enabled only while an attempt
 * runs (Node 20.20, connectTimeout 1 s: exit at 10.1 s → 1.04 s; Node 24.22 after: 1.04 s).
 *
 * The sockets are found through Node's `net.client.socket` diagnostics channel and attributed
 * to the attempt by an AsyncLocalStorage entered only around `client.connect()` and disabled
 * when the attempt ends: on Node 20 and 22 async context tracking slows every promise (measured
 * on Node 20.20: 3 M sequential awaits 0.59 s → 1.5 s while an AsyncLocalStorage is enabled), so
 * the library pays it only while an attempt runs, never in steady state. The same for the timer
 * hook, which costs on Node 24 too (AsyncLocalStorage alone does not there): 3 M sequential
 * `await null`, load 3.5 on 2 cores, two runs each: Node 20.20 with the ALS 0.37–0.50 s, with
 * the hook too 0.44–0.48 s (none: 0.13 s); Node 24.22 with the ALS 0.14 s, with the hook 0.32–0.40 s.
 * TLS sockets are not published on that channel: the same hook unrefs the TCP handles created
 * inside an attempt (type TCPWRAP, which a TLS connection has too). node-redis' connectTimeout
 * covers the TLS handshake, so a frozen TLS server mostly did not hold the process anyway, but
 * a retry's TLS socket did now and then (Node 20.20, connectTimeout 1 s, frozen TLS cluster seed:
 * exit at ~1.02 s, 4 runs of 46 at ~2.0 s; after: 20 of 20 at 1.01–1.04 s). A frozen TLS
 * sentinel exited at ~2.06 s until the overdue attempt's teardown timers were unref'ed too (see
 * TopologyConnection.onAttemptOverdue): 1.05 s.
 */
import { AsyncLocalStorage, createHook } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

/** Attempts currently tracking their sockets. */
const tracking = new Set<AttemptSockets>();
let subscribed = false;

/** What a Timeout or a TCP handle is to us: node-redis' timers, a TLS connection's socket. */
interface Refable {
  ref(): unknown;
  unref(): unknown;
}

/** The attempt whose async context the caller runs in, if any. Never throws. */
function owner(): AttemptSockets | undefined {
  try {
    for (const attempt of tracking) if (attempt.owns()) return attempt;
  } catch {
    // not ours to break
  }
  return undefined;
}

/**
 * Timers node-redis arms inside an attempt (the keepalive PING of a ready sentinel connection,
 * the 1 s sleep between Sentinel discovery rounds) are ref'ed and private. An init hook, enabled
 * only while an attempt runs, unrefs them as they are created (Node counts the ref before the
 * hook runs, so `unref()` here is balanced); code that refs a timer explicitly afterwards wins.
 */
const timerHook = createHook({
  init(_id, type, _trigger, resource) {
    if (type === 'Timeout') owner()?.adoptTimer(resource as Refable);
    // A TLS connection's TCP handle (tls.connect publishes no socket on `net.client.socket`).
    // libuv initialises the handle after this hook: unref it on the next tick.
    else if (type === 'TCPWRAP') owner()?.adoptHandle(resource as Refable);
  },
});

function onClientSocket(message: unknown): void {
  if (tracking.size === 0) return;
  // A throwing subscriber would surface as an uncaught exception: never throw here.
  try {
    const socket = (message as { socket?: Socket } | null)?.socket;
    if (socket !== undefined) owner()?.adopt(socket);
  } catch {
    // not ours to break
  }
}

/** One connection attempt's sockets: unref'ed while it runs, ref'ed again once ready. */
export class AttemptSockets {
  private readonly scope = new AsyncLocalStorage<true>();
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<Refable>();
  private ended = false;

  /** Runs `connect` (synchronously) so that every socket it opens, now or later, is tracked. */
  run<T>(connect: () => T): T {
    if (!subscribed) {
      subscribe('net.client.socket', onClientSocket);
      subscribed = true;
    }
    if (tracking.size === 0) timerHook.enable();
    tracking.add(this);
    return this.scope.run(true, connect);
  }

  /** True when the caller runs inside this attempt (its async context). */
  owns(): boolean {
    return !this.ended && this.scope.getStore() === true;
  }

  /** A socket this attempt opened: unref'ed once its handle exists. */
  adopt(socket: Socket): void {
    this.sockets.add(socket);
    // net.connect() publishes before it creates the handle (synchronously, right after);
    // Socket#unref() without a handle would defer to 'connect' and could undo a later ref().
    process.nextTick(() => {
      if (!this.ended && !socket.destroyed) socket.unref();
    });
  }

  /** A timer armed inside this attempt: unref'ed at once. */
  adoptTimer(timer: Refable): void {
    if (this.ended) return;
    this.timers.add(timer);
    timer.unref();
  }

  /** A TCP handle created inside this attempt: unref'ed once libuv has initialised it. */
  adoptHandle(handle: Refable): void {
    this.timers.add(handle);
    process.nextTick(() => {
      if (!this.ended) handle.unref();
    });
  }

  /**
   * The attempt ended. `ready`: the topology is connected and its sockets hold the process
   * again, as any open client's do. Otherwise they stay unref'ed (node-redis tears them down,
   * a frozen server's whenever its socket times out). Idempotent.
   */
  end(ready: boolean): void {
    if (this.ended) return;
    this.ended = true;
    tracking.delete(this);
    if (tracking.size === 0) timerHook.disable();
    this.scope.disable();
    if (ready) {
      for (const s of this.sockets) if (!s.destroyed) s.ref();
      // A fired or cleared timer, a closed handle ignore ref() (Node checks they are alive).
      for (const t of this.timers) t.ref();
    }
    this.sockets.clear();
    this.timers.clear();
  }
}
