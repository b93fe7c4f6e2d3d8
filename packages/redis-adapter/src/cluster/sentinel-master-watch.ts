/**
 * Watches the master of a Sentinel set once it stops answering, so that a failover is followed
 * instead of waited out.
 *
 * Why: node-redis keeps its master connection "ready" until the sentinels announce a new master
 * (`+switch-master`, seconds after the fault). Meanwhile every call was sent to a master that
 * does not answer (frozen: each call waits out its whole deadline) or into node-redis'
 * rediscovery loop (killed: calls wait behind it), and the breaker's window still held the
 * successes from before the fault. Here, once a command overruns its deadline or the master's
 * connection fails, the master is SUSPECT: the adapter is not ready (calls fall back once the
 * reconnect grace since then has run out, without paying their deadline), one PING at a time
 * probes the master through node-redis' own connection, and the sentinels are asked for the
 * current master. Suspicion ends when a PING answers and the sentinels (if they answered) still
 * name the master the client uses: a master that answers again after the sentinels moved on has
 * been demoted, and writes sent to it would be lost. When node-redis has switched to another
 * master the breaker is reset (`onMasterChanged`): its window describes the old master (and,
 * during suspicion, the calls that fell back while waiting for the switch). The reset happens
 * when suspicion ends, not at the switch itself: calls that fall back between the two would
 * otherwise re-open the fresh breaker just before the new master is usable.
 */
import type { Clock } from '@breakwater/breaker';
import type { RedisFailureKind } from '../types.js';

/** What a {@link SentinelMasterWatch} needs from the adapter and node-redis. */
export interface SentinelMasterWatchDeps {
  readonly clock: Clock;
  /** Pause between probe rounds while the master is suspect, in ms. */
  readonly probeInterval: number;
  /** PINGs the master through the client's own master connection. */
  ping(): Promise<unknown>;
  /** Asks the sentinels which master they name now (`host:port`; undefined: none answered). */
  askSentinels(): Promise<string | undefined>;
  /**
   * The client now uses master `to` instead of `from` (a different address), and it answers (or
   * no suspicion was running).
   */
  onMasterChanged(from: string, to: string): void;
  /** Suspicion started (true) or ended (false). */
  onSuspectChange(suspect: boolean): void;
  /** Reports a finding (suspicion and why, sentinels naming another master). */
  onError(kind: RedisFailureKind, error: unknown): void;
}

interface Waiter {
  resolve(ready: boolean): void;
  timer: unknown;
}

/** One Sentinel adapter's master watch. */
export class SentinelMasterWatch {
  /** Clock time since which the master is suspect (undefined: not suspect). */
  suspectSince: number | undefined = undefined;
  /**
   * Identifies the master "session": changes whenever suspicion ends or the master changes, so
   * an overrun of a command sent before that does not start a new suspicion.
   */
  epoch = 0;
  /** The master the client uses (`host:port`), from its MASTER_CHANGE events. */
  master: string | undefined = undefined;
  /** The master the sentinels named in the last answer while suspect. */
  sentinelsMaster: string | undefined = undefined;
  private pinging = false;
  private asking = false;
  private timer: unknown = undefined;
  private stopped = false;
  private reportedMove: string | undefined = undefined;
  /** The master when suspicion started. */
  private suspectedMaster: string | undefined = undefined;
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly deps: SentinelMasterWatchDeps) {}

  get suspect(): boolean {
    return this.suspectSince !== undefined;
  }

  /** A command sent during master session `epoch` overran its deadline. */
  onDeadlineOverrun(epoch: number): void {
    if (epoch !== this.epoch) return;
    this.suspectMaster(
      'timeout',
      new Error(`a command to the Sentinel master ${this.master ?? ''} overran its deadline`),
    );
  }

  /** The master's connection failed (socket closed, refused, reset…). */
  onConnectionError(error: unknown): void {
    this.suspectMaster('connection', error);
  }

  /** node-redis opened a master connection to `address` (MASTER_CHANGE). */
  onMasterChange(address: string): void {
    if (this.stopped) return;
    const from = this.master;
    this.master = address;
    if (from === undefined || from === address) return;
    this.epoch++;
    // the new master is probed at once instead of at the next round; the breaker is reset once
    // it answered (see clear())
    if (this.suspect) this.round();
    else this.deps.onMasterChanged(from, address);
  }

  /** Resolves true as soon as the master is not suspect, false after `ms`. */
  waitForClear(ms: number): Promise<boolean> {
    if (!this.suspect) return Promise.resolve(true);
    if (ms <= 0 || this.stopped) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = { resolve, timer: undefined };
      waiter.timer = this.deps.clock.setTimeout(() => {
        this.waiters.delete(waiter);
        resolve(false);
      }, ms);
      this.waiters.add(waiter);
    });
  }

  /** Stops probing and releases the waiters (adapter closed). Idempotent. */
  stop(): void {
    this.stopped = true;
    this.clearTimer();
    this.settle(false);
  }

  // ---- suspicion ---------------------------------------------------------------------------

  private suspectMaster(kind: RedisFailureKind, cause: unknown): void {
    if (this.stopped || this.suspect) return;
    this.suspectSince = this.deps.clock.now();
    this.suspectedMaster = this.master;
    this.sentinelsMaster = undefined;
    this.reportedMove = undefined;
    this.deps.onError(
      kind,
      new Error(
        `the Sentinel master ${this.master ?? ''} stopped answering; calls fall back while it is probed and the sentinels are asked for the current master`,
        { cause },
      ),
    );
    this.deps.onSuspectChange(true);
    this.round();
  }

  private clear(): void {
    if (!this.suspect) return;
    this.clearTimer();
    this.suspectSince = undefined;
    this.epoch++;
    const from = this.suspectedMaster;
    const to = this.master;
    if (from !== undefined && to !== undefined && from !== to) this.deps.onMasterChanged(from, to);
    this.deps.onSuspectChange(false);
    this.settle(true);
  }

  /** One probe round: a PING (unless one is outstanding) and a question to the sentinels. */
  private round(): void {
    this.clearTimer();
    if (this.stopped || !this.suspect) return;
    if (!this.pinging) {
      this.pinging = true;
      const epoch = this.epoch;
      call(() => this.deps.ping()).then(
        () => {
          this.pinging = false;
          this.onPingAnswered(epoch);
        },
        () => {
          this.pinging = false;
        },
      );
    }
    if (!this.asking) {
      this.asking = true;
      call(() => this.deps.askSentinels()).then(
        (address) => {
          this.asking = false;
          this.onSentinelsAnswered(address);
        },
        () => {
          this.asking = false;
        },
      );
    }
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = undefined;
      this.round();
    }, this.deps.probeInterval);
  }

  private onPingAnswered(epoch: number): void {
    if (this.stopped || !this.suspect) return;
    // A PING sent before a master change may have been answered by either master: ask again.
    if (epoch !== this.epoch) {
      this.round();
      return;
    }
    // The sentinels moved on: this master is being demoted; wait for the client to switch.
    const named = this.sentinelsMaster;
    if (named !== undefined && this.master !== undefined && named !== this.master) return;
    this.clear();
  }

  private onSentinelsAnswered(address: string | undefined): void {
    if (this.stopped || !this.suspect || address === undefined) return;
    this.sentinelsMaster = address;
    if (this.master !== undefined && address !== this.master && this.reportedMove !== address) {
      this.reportedMove = address;
      this.deps.onError(
        'connection',
        new Error(
          `the sentinels name ${address} as the master; the client still uses ${this.master} (it switches on the sentinels' announcement)`,
        ),
      );
    }
  }

  private clearTimer(): void {
    if (this.timer === undefined) return;
    this.deps.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private settle(ready: boolean): void {
    for (const w of this.waiters) {
      this.deps.clock.clearTimeout(w.timer);
      w.resolve(ready);
    }
    this.waiters.clear();
  }
}

/** Calls `fn`, turning a synchronous throw into a rejection. */
function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error);
  }
}
