/**
 * The Sentinel adapter against a real Sentinel set (1 master, 1 replica, 3 sentinels, quorum 2,
 * down-after 1 s): settings reach the master client, a master SIGKILLed under load makes calls
 * fall back by their deadline and succeed again after the promotion (recovery times printed),
 * and connect() settles with the master unreachable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAllRedis } from '../../../../test-support/redis-server.js';
import { startSentinelSet, type SentinelSetHandle } from '../../../../test-support/sentinel.js';
import {
  createRedisSentinelAdapter,
  type RedisSentinelAdapter,
  type RedisSentinelAdapterOptions,
} from '../../src/cluster/index.js';
import { isRedisConnectTimeoutError, isRedisUnavailableError } from '../../src/errors.js';
import { SteadyLoad, sleep, summarize, type CallRecord, TEST_TIMINGS } from './load.js';

const DEADLINE = 500;
/** Allowed lateness of a settled call on a loaded 2-core machine. */
const MARGIN = 500;
const KEYS = Array.from({ length: 20 }, (_, i) => `session:${i}`);

let set: SentinelSetHandle;
const adapters: RedisSentinelAdapter[] = [];

function adapter(extra: Partial<RedisSentinelAdapterOptions> = {}): RedisSentinelAdapter {
  const a = createRedisSentinelAdapter({
    sentinel: { name: set.masterName, sentinelRootNodes: set.sentinelRootNodes },
    operationTimeout: DEADLINE,
    ...TEST_TIMINGS,
    ...extra,
  });
  adapters.push(a);
  return a;
}

const get = (a: RedisSentinelAdapter, key: string): Promise<'ok' | { fallback: never }> =>
  a.executeRedisOperation(
    async (c) => {
      await c.get(key);
      return 'ok' as const;
    },
    (kind) => ({ fallback: kind }) as { fallback: never },
    'get',
  );

beforeAll(async () => {
  set = await startSentinelSet({ name: 'cache' });
});

afterAll(async () => {
  await Promise.all(adapters.map((a) => a.close()));
  await set?.stop();
  await stopAllRedis();
});

describe('createRedisSentinelAdapter over a real Sentinel set', () => {
  it('connects through the sentinels and serves calls', async () => {
    const a = adapter();
    const topology: string[] = [];
    a.on('topologyChange', (e) => topology.push(e.type));
    await a.connect();
    expect(a.connectionState).toBe('ready');
    expect(topology).toContain('MASTER_CHANGE');
    expect(
      await a.executeRedisOperation(
        (c) => c.set('k', 'v'),
        () => 'fb',
        'set',
      ),
    ).toBe('OK');
    expect(
      await a.executeRedisOperation(
        (c) => c.get('k'),
        () => 'fb',
        'get',
      ),
    ).toBe('v');
    expect(await set.master.cli('GET', 'k')).toBe('v');
    // a data error propagates and does not count against the breaker
    await expect(
      a.executeRedisOperation(
        (c) => c.incr('k'),
        () => 'fb',
        'incr',
      ),
    ).rejects.toThrow(/not an integer/);
    expect(a.breaker.getStats().failureCount).toBe(0);
    expect(a.health().status).toBe('pass');
  });

  it('connect() with the master frozen settles degraded, then becomes ready by itself', async () => {
    // SIGSTOP for less than down-after-milliseconds (1 s): no failover, the master just hangs.
    // No reconnect grace: the not-ready call below answers at once instead of waiting 250 ms
    // with the master still frozen, which kept the freeze close to down-after on a busy box (a
    // failover here would leave `set.master` a replica for the next test).
    const a = adapter({ connectTimeout: 300, reconnectGrace: 0 });
    set.master.pause();
    let resumed = false;
    try {
      const t0 = performance.now();
      await a.connect();
      const connectMs = performance.now() - t0;
      expect(connectMs).toBeLessThan(300 + MARGIN);
      expect(a.connectionState).toBe('connecting');
      expect(await get(a, 'k')).toEqual({ fallback: 'not-ready' });
      set.master.resume();
      resumed = true;
      const resumedAt = performance.now();
      while (a.connectionState !== 'ready' && performance.now() - resumedAt < 10_000)
        await sleep(20);
      console.log(
        `[sentinel connect, master frozen] connect() ${Math.round(connectMs)} ms (degraded); ready ${Math.round(performance.now() - resumedAt)} ms after SIGCONT`,
      );
      expect(a.connectionState).toBe('ready');
      expect(await get(a, 'k')).toBe('ok');
    } finally {
      if (!resumed) set.master.resume();
    }
  });

  it('the master SIGKILLed under load: calls settle by their deadline and succeed after the promotion', async () => {
    const a = adapter();
    const transitions: string[] = [];
    a.breaker.on('stateChange', (e) => transitions.push(`${e.from}->${e.to}`));
    await a.connect();
    let masterChangeAt = NaN;
    a.on('topologyChange', (e) => {
      if (e.type === 'MASTER_CHANGE') masterChangeAt = performance.now();
    });
    const load = new SteadyLoad(KEYS, (k) => get(a, k));
    load.start();
    await sleep(800);
    const killedAt = performance.now();
    await set.master.kill();
    const promoted = await set.waitForFailover(20_000);
    const promotedAt = performance.now();
    const bound = promotedAt + 10_000;
    let firstOk: CallRecord | undefined;
    while (performance.now() < bound) {
      firstOk = load.records.find((r) => r.start > killedAt && r.result === 'success');
      if (firstOk !== undefined) break;
      await sleep(50);
    }
    await sleep(1000);
    await load.stop();

    const all = summarize(load.records);
    const faultToFirstOk = firstOk ? Math.round(firstOk.end - killedAt) : NaN;
    const promotionToFirstOk = firstOk ? Math.round(firstOk.end - promotedAt) : NaN;
    const during = summarize(
      load.records.filter(
        (r) => r.start > killedAt && (firstOk === undefined || r.end < firstOk.end),
      ),
    );
    const after = summarize(
      load.records.filter((r) => firstOk !== undefined && r.start > firstOk.end + 200),
    );
    console.log(
      `[sentinel failover] deadline ${DEADLINE} ms; promotion observed ${Math.round(promotedAt - killedAt)} ms after SIGKILL ` +
        `(new master port ${promoted.port}); node-redis switched master ${Math.round(masterChangeAt - promotedAt)} ms after it; fault→first success ${faultToFirstOk} ms; promotion→first success ${promotionToFirstOk} ms\n` +
        `  all:    ${JSON.stringify(all)}\n  outage: ${JSON.stringify(during)}\n  after:  ${JSON.stringify(after)}\n` +
        `  breaker: ${transitions.join(', ')}`,
    );
    expect(all.errors).toBe(0);
    expect(all.maxMs).toBeLessThanOrEqual(DEADLINE + MARGIN);
    expect(during.fallbacks).toBeGreaterThan(0);
    expect(transitions[0]).toBe('closed->open');
    expect(firstOk).toBeDefined();
    expect(promotionToFirstOk).toBeLessThan(8000);
    expect(after.calls).toBeGreaterThan(0);
    expect(after.fallbacks).toBe(0);
    expect(a.breaker.state).toBe('closed');
    expect(
      await a.executeRedisOperation(
        (c) => c.set('after', '1'),
        () => 'fb',
        'set',
      ),
    ).toBe('OK');
  });

  it('connect() settles within connectTimeout with the master unreachable', async () => {
    // the promoted replica is the master now; kill it too: the sentinels have no one to promote
    const current = await set.currentMaster();
    const master = [set.master, set.replica].find((s) => s.port === current.port)!;
    await master.kill();

    const degraded = adapter({ connectTimeout: 1000 });
    let t0 = performance.now();
    await degraded.connect();
    const connectMs = performance.now() - t0;
    expect(connectMs).toBeLessThan(1000 + MARGIN);
    expect(degraded.connectionState).toBe('connecting');
    t0 = performance.now();
    const r = await get(degraded, 'k');
    expect(r).toEqual({ fallback: 'not-ready' });
    expect(performance.now() - t0).toBeLessThan(DEADLINE + MARGIN);
    expect(degraded.health().status).toBe('warn');

    const strict = adapter({ connectTimeout: 1000, requireConnection: true });
    t0 = performance.now();
    const err = await strict.connect().then(
      () => undefined,
      (e: unknown) => e,
    );
    const strictMs = performance.now() - t0;
    console.log(
      `[sentinel connect, master down] degraded connect() ${Math.round(connectMs)} ms; requireConnection rejected after ${Math.round(strictMs)} ms: ${String((err as Error)?.message)}`,
    );
    expect(strictMs).toBeLessThan(1000 + MARGIN);
    // node-redis retries "no valid master node" silently, so the reason may be unknown
    expect(isRedisUnavailableError(err) || isRedisConnectTimeoutError(err)).toBe(true);
    if (isRedisUnavailableError(err)) {
      expect(String(err.message)).toMatch(/Redis Sentinel "cache" \(sentinels 127\.0\.0\.1:\d+/);
    }
    expect(strict.connectionState).toBe('closed');
  });
});
