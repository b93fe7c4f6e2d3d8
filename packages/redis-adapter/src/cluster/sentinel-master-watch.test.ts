import { describe, expect, it } from 'vitest';
import { createFakeClock } from '@breakwater/breaker';
import { SentinelMasterWatch, type SentinelMasterWatchDeps } from './sentinel-master-watch.js';

interface Deferred {
  resolve(v?: unknown): void;
  reject(e: unknown): void;
}

function setup(overrides: Partial<SentinelMasterWatchDeps> = {}) {
  const clock = createFakeClock(0);
  const pings: Deferred[] = [];
  const asks: Array<{ resolve(v: string | undefined): void }> = [];
  const log: string[] = [];
  const deps: SentinelMasterWatchDeps = {
    clock,
    probeInterval: 250,
    ping: () =>
      new Promise((resolve, reject) => {
        pings.push({ resolve, reject });
      }),
    askSentinels: () =>
      new Promise<string | undefined>((resolve) => {
        asks.push({ resolve });
      }),
    onMasterChanged: (from, to) => log.push(`changed ${from}>${to}`),
    onSuspectChange: (suspect) => log.push(suspect ? 'suspect' : 'clear'),
    onError: (kind) => log.push(`error ${kind}`),
    ...overrides,
  };
  const w = new SentinelMasterWatch(deps);
  w.onMasterChange('10.0.0.1:6379'); // the initial master: no change reported
  return { clock, pings, asks, log, w };
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('SentinelMasterWatch', () => {
  it('an overrun makes the master suspect; a PING answer clears it and releases waiters', async () => {
    const { clock, pings, log, w } = setup();
    expect(log).toEqual([]);
    clock.advance(100);
    w.onDeadlineOverrun(w.epoch);
    expect(w.suspect).toBe(true);
    expect(w.suspectSince).toBe(100);
    expect(log).toEqual(['error timeout', 'suspect']);
    expect(pings).toHaveLength(1);
    const waiting = w.waitForClear(1000);
    // one PING outstanding at a time: the next rounds do not stack PINGs on a frozen master
    clock.advance(750);
    expect(pings).toHaveLength(1);
    const epoch = w.epoch;
    pings[0].resolve('PONG');
    await flush();
    expect(await waiting).toBe(true);
    expect(w.suspect).toBe(false);
    expect(w.epoch).toBe(epoch + 1);
    expect(log.at(-1)).toBe('clear');
    expect(log.some((l) => l.startsWith('changed'))).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('an overrun of a command sent before the last recovery does not start a new suspicion', () => {
    const { w } = setup();
    const old = w.epoch;
    w.onConnectionError(new Error('Socket closed unexpectedly'));
    expect(w.suspect).toBe(true);
    w.stop();
    const { w: w2 } = setup();
    w2.onMasterChange('10.0.0.2:6379');
    w2.onDeadlineOverrun(old);
    expect(w2.suspect).toBe(false);
  });

  it('a failed PING is retried at the next round; waiters give up after their own limit', async () => {
    const { clock, pings, w } = setup();
    w.onConnectionError(new Error('ECONNREFUSED'));
    const waiting = w.waitForClear(200);
    pings[0].reject(new Error('ECONNREFUSED'));
    await flush();
    clock.advance(200);
    expect(await waiting).toBe(false);
    clock.advance(50);
    expect(pings).toHaveLength(2);
    expect(w.suspect).toBe(true);
    w.stop();
    expect(clock.pendingTimers()).toBe(0);
  });

  it('follows the switch: the new master is probed at once and the breaker reset once it answers', async () => {
    const { pings, log, w } = setup();
    w.onDeadlineOverrun(w.epoch);
    pings[0].reject(new Error('destroyed by node-redis at the switch'));
    await flush();
    w.onMasterChange('10.0.0.2:6379');
    expect(pings).toHaveLength(2); // probed at once
    expect(log.some((l) => l.startsWith('changed'))).toBe(false); // not before it answers
    pings[1].resolve('PONG');
    await flush();
    expect(w.suspect).toBe(false);
    expect(log.slice(-2)).toEqual(['changed 10.0.0.1:6379>10.0.0.2:6379', 'clear']);
  });

  it('a PING sent before the switch and answered after it is not trusted: probed again at once', async () => {
    const { pings, w } = setup();
    w.onDeadlineOverrun(w.epoch);
    w.onMasterChange('10.0.0.2:6379'); // PING 0 still outstanding: no second one yet
    expect(pings).toHaveLength(1);
    pings[0].resolve('PONG');
    await flush();
    expect(w.suspect).toBe(true);
    expect(pings).toHaveLength(2);
    pings[1].resolve('PONG');
    await flush();
    expect(w.suspect).toBe(false);
  });

  it('a master that answers after the sentinels named another stays suspect (it is being demoted)', async () => {
    const { clock, pings, asks, log, w } = setup();
    w.onDeadlineOverrun(w.epoch);
    asks[0].resolve('10.0.0.2:6379');
    await flush();
    expect(w.sentinelsMaster).toBe('10.0.0.2:6379');
    expect(log.filter((l) => l === 'error connection')).toHaveLength(1); // reported once
    pings[0].resolve('PONG'); // the old master resumed
    await flush();
    expect(w.suspect).toBe(true);
    clock.advance(250);
    asks[1].resolve('10.0.0.2:6379');
    await flush();
    expect(log.filter((l) => l === 'error connection')).toHaveLength(1);
    w.onMasterChange('10.0.0.2:6379');
    const n = pings.length;
    pings.at(-1)!.resolve('PONG'); // sent before the switch: probed again
    await flush();
    expect(pings).toHaveLength(n + 1);
    expect(w.suspect).toBe(true);
    pings.at(-1)!.resolve('PONG');
    await flush();
    expect(w.suspect).toBe(false);
    expect(log).toContain('changed 10.0.0.1:6379>10.0.0.2:6379');
  });

  it('a MASTER_CHANGE without suspicion resets the breaker at once; same address: nothing', () => {
    const { log, w } = setup();
    w.onMasterChange('10.0.0.1:6379');
    expect(log).toEqual([]);
    w.onMasterChange('10.0.0.3:6379');
    expect(log).toEqual(['changed 10.0.0.1:6379>10.0.0.3:6379']);
  });

  it('throwing probes cannot break the loop; stop() releases waiters and ends everything', async () => {
    const { clock, w } = setup({
      ping: () => {
        throw new Error('sync');
      },
      askSentinels: () => {
        throw new Error('sync');
      },
    });
    w.onDeadlineOverrun(w.epoch);
    await flush();
    clock.advance(250);
    await flush();
    expect(w.suspect).toBe(true);
    const waiting = w.waitForClear(10_000);
    w.stop();
    expect(await waiting).toBe(false);
    expect(await w.waitForClear(10)).toBe(false);
    w.onDeadlineOverrun(w.epoch); // stopped: no new suspicion work
    expect(clock.pendingTimers()).toBe(0);
  });
});
