import { describe, expect, it } from 'vitest';
import { constantBackoff, createFakeClock } from '@breakwater/breaker';
import { NodeRecovery, type NodeRecoveryDeps } from './node-recovery.js';
import type { NodeClientLike } from './shard-connection.js';

/** A node client whose connect() never finishes unless the test says so (a frozen server). */
class FakeNodeClient implements NodeClientLike {
  isOpen = true;
  isReady = true;
  connects = 0;
  destroys = 0;
  connect(): Promise<unknown> {
    this.connects++;
    this.isOpen = true;
    return new Promise(() => undefined);
  }
  destroy(): void {
    this.destroys++;
    this.isOpen = false;
    this.isReady = false;
  }
}

function setup(overrides: Partial<NodeRecoveryDeps> = {}) {
  const clock = createFakeClock(0);
  const client = new FakeNodeClient();
  const state = { serves: true, known: true, refreshes: 0, refreshed: 0 };
  const errors: string[] = [];
  const done: string[] = [];
  let pendingRefresh: (() => void) | undefined;
  const deps: NodeRecoveryDeps = {
    address: '10.0.0.1:7000',
    clock,
    connectTimeout: 1000,
    refreshInterval: 1000,
    backoff: constantBackoff(200),
    nodeClient: () => (state.known ? client : undefined),
    dial: () => (state.known ? client : undefined),
    servesSlots: () => state.serves,
    refreshTopology: (excluded) => {
      expect(excluded).toBe('10.0.0.1:7000');
      state.refreshes++;
      return new Promise<void>((resolve) => {
        pendingRefresh = resolve;
      });
    },
    onTopologyRefreshed: () => state.refreshed++,
    onError: (kind) => errors.push(kind),
    onDone: (outcome) => done.push(outcome),
    ...overrides,
  };
  const finishRefresh = async (): Promise<void> => {
    pendingRefresh?.();
    pendingRefresh = undefined;
    await Promise.resolve();
    await Promise.resolve();
  };
  return { clock, client, state, errors, done, deps, r: new NodeRecovery(deps), finishRefresh };
}

describe('NodeRecovery', () => {
  it('destroys the hung connection, re-dials under a handshake deadline and retries with backoff', () => {
    const { clock, client, r, errors, done } = setup();
    r.start();
    expect(r.active).toBe(true);
    expect(r.since).toBe(0);
    expect(client.destroys).toBe(1);
    expect(client.connects).toBe(1);
    clock.advance(999);
    expect(client.destroys).toBe(1);
    clock.advance(1); // the handshake did not finish within connectTimeout
    expect(client.destroys).toBe(2);
    expect(errors).toContain('timeout');
    expect(client.connects).toBe(1);
    clock.advance(200); // backoff
    expect(client.connects).toBe(2);
    // the node answers: ready
    client.isReady = true;
    r.onNodeReady();
    expect(done).toEqual(['ready']);
    expect(r.active).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('re-reads the topology from the other nodes at once and every refreshInterval, one at a time', async () => {
    const { clock, state, r, finishRefresh } = setup();
    r.start();
    expect(state.refreshes).toBe(1);
    clock.advance(1000); // the first re-read has not finished: no second one stacked on it
    expect(state.refreshes).toBe(1);
    await finishRefresh();
    expect(state.refreshed).toBe(1);
    expect(r.active).toBe(true); // the node still serves its slots: keep going
    clock.advance(1000);
    expect(state.refreshes).toBe(2);
    r.stop();
  });

  it('ends as "replaced" once the topology no longer lists the node as a master', async () => {
    const { clock, state, r, done, finishRefresh } = setup();
    r.start();
    clock.advance(1000);
    state.serves = false; // the replica was promoted; the re-read saw it
    await finishRefresh();
    expect(done).toEqual(['replaced']);
    expect(r.active).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
    // a late re-read or attempt of the ended run changes nothing
    await finishRefresh();
    expect(done).toEqual(['replaced']);
  });

  it('a failed re-read is reported and retried; stop() ends everything without an outcome', async () => {
    let calls = 0;
    const { clock, r, errors, done } = setup({
      refreshTopology: () => {
        calls++;
        return Promise.reject(new Error('no node answered'));
      },
    });
    r.start();
    await Promise.resolve();
    await Promise.resolve();
    expect(errors).toContain('connection');
    clock.advance(1000);
    expect(calls).toBe(2);
    r.stop();
    r.stop();
    expect(clock.pendingTimers()).toBe(0);
    expect(done).toEqual([]);
    // restartable
    r.start();
    expect(r.active).toBe(true);
    expect(r.since).toBe(1000);
    r.stop();
  });

  it('a throwing backoff or re-read cannot break the loop', async () => {
    const { clock, client, r, errors } = setup({
      backoff: {
        delay: () => {
          throw new Error('bad backoff');
        },
      },
      refreshTopology: () => {
        throw new Error('sync throw');
      },
    });
    r.start();
    await Promise.resolve();
    await Promise.resolve();
    expect(errors).toContain('connection');
    clock.advance(1000); // handshake deadline, then the 1 s fallback delay
    clock.advance(1000);
    expect(client.connects).toBe(2);
    r.stop();
  });

  it('a node already ready again, or unknown to node-redis, ends at the first attempt', () => {
    const a = setup();
    a.state.known = false;
    a.r.start();
    expect(a.done).toEqual(['replaced']);
    const b = setup();
    b.r.start();
    b.client.isReady = true; // connected before the deadline, 'node-ready' not seen yet
    b.clock.advance(1000);
    expect(b.done).toEqual(['ready']);
  });
});
