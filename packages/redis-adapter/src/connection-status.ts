/**
 * The state of one connection (single server or topology): the state machine with its events,
 * the typed permanent failure, and the callers waiting for readiness.
 */
import type { Clock } from '@breakwater/breaker';
import type { ConnectionHooks } from './adapter-core.js';
import { classifyConnectionError } from './classify-error.js';
import { ReadyWaiters, type WaitOutcome } from './ready-waiters.js';
import type { RedisConnectionState } from './types.js';

/** State, failure and readiness waiters; every transition is reported through the hooks. */
export class ConnectionStatus {
  state: RedisConnectionState = 'closed';
  /** Set while `state === 'failed'`: the typed permanent error. */
  failure: Error | undefined = undefined;
  /** True once a connection has been ready (later drops are 'reconnecting'). */
  everReady = false;
  /**
   * Clock time since which the connection has not been ready: set when it leaves 'ready', and
   * when a connect starts from 'closed' or 'failed'. Unchanged across reconnect attempts.
   */
  notReadySince: number;
  private readonly waiters: ReadyWaiters;

  constructor(
    private readonly clock: Clock,
    private readonly hooks: Pick<ConnectionHooks, 'onStateChange' | 'onError'>,
  ) {
    this.waiters = new ReadyWaiters(clock);
    this.notReadySince = clock.now();
  }

  /** Moves to `to`, emitting the change (nothing when already there). */
  set(to: RedisConnectionState): void {
    const from = this.state;
    if (from === to) return;
    const at = this.clock.now();
    if (to !== 'ready' && (from === 'ready' || from === 'closed' || from === 'failed')) {
      this.notReadySince = at;
    }
    this.state = to;
    this.hooks.onStateChange({ from, to, at });
  }

  /** 'connecting' before the first ready connection, 'reconnecting' after. */
  toConnecting(): void {
    this.set(this.everReady ? 'reconnecting' : 'connecting');
  }

  /** Ready: clears the failure and releases the waiters. */
  toReady(): void {
    this.everReady = true;
    this.failure = undefined;
    this.set('ready');
    this.waiters.settle('ready');
  }

  /** Failed for good with a typed error (reported), until the next connect(). */
  toFailed(error: Error): void {
    this.failure = error;
    this.hooks.onError(classifyConnectionError(error), error);
    this.set('failed');
    this.waiters.settle('failed');
  }

  /** Closed (stopped or closed for good): releases the waiters. */
  toClosed(): void {
    this.set('closed');
    this.waiters.settle('closed');
  }

  /** Resolves with the next ready / failed / closed transition, or 'timeout' after `ms`. */
  wait(ms: number): Promise<WaitOutcome> {
    return this.waiters.wait(ms);
  }

  /** Resolves true once ready (`readyNow` at once), false after `ms` or when it cannot be. */
  async waitForReady(readyNow: boolean, ms: number): Promise<boolean> {
    if (readyNow) return true;
    if (ms <= 0 || this.state === 'failed' || this.state === 'closed') return false;
    return (await this.waiters.wait(ms)) === 'ready';
  }
}
