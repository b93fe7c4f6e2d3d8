/**
 * The Keyv storage adapter against real Keyv 5, cache-manager 7 and cacheable 2 and a real
 * redis-server: the Keyv contract with Redis up, and the outage drill (SIGKILL and SIGSTOP under
 * HTTP load) through cache-manager's wrap.
 */
import http from 'node:http';
import { Cacheable } from 'cacheable';
import { createCache } from 'cache-manager';
import { Keyv } from 'keyv';
import { afterEach, describe, expect, it } from 'vitest';
import { BreakwaterKeyvStore } from '@breakwater/recipes/keyv';
import type { BreakwaterKeyvStoreOptions } from '@breakwater/recipes/keyv';
import { httpRequest } from '../../../test-support/http-load.js';
import { outageUnderLoad } from '../../../test-support/outage-under-load.js';
import type { RedisFault } from '../../../test-support/outage-under-load.js';
import { expectAnsweredInTime, serve } from './integration-app.js';
import type { TestServer } from './integration-app.js';
import { DEADLINE_MS, MARGIN_MS, inject, timed, useEnv } from './harness.js';
import type { Fault } from './harness.js';

const stores: BreakwaterKeyvStore[] = [];
const env = useEnv(() => {
  for (const s of stores.splice(0)) void s.disconnect();
});
let open: TestServer[] = [];
afterEach(async () => {
  await Promise.all(open.map((s) => s.close()));
  open = [];
});

function store(options?: BreakwaterKeyvStoreOptions): BreakwaterKeyvStore {
  const s = new BreakwaterKeyvStore(env.adapter, options);
  stores.push(s);
  return s;
}

describe('BreakwaterKeyvStore with Redis up', () => {
  it('is a Keyv 5 store: get/set/has/delete/many, TTL in Redis, clear() scoped to the namespace', async () => {
    const s = store();
    const keyv = new Keyv({ store: s, namespace: 'users' });
    const other = new Keyv({ store: store(), namespace: 'orders' });
    expect(await keyv.set('u1', { name: 'Ada' }, 60_000)).toBe(true);
    expect(await keyv.get('u1')).toEqual({ name: 'Ada' });
    expect(await keyv.has('u1')).toBe(true);
    expect(await keyv.get('nope')).toBeUndefined();
    const pttl = Number(await env.server.cli('PTTL', 'breakwater:keyv:users:u1'));
    expect(pttl).toBeGreaterThan(55_000);
    expect(pttl).toBeLessThanOrEqual(60_000);
    await keyv.setMany([
      { key: 'a', value: 1 },
      { key: 'b', value: 2 },
    ]);
    expect(await keyv.get(['a', 'b', 'c'])).toEqual([1, 2, undefined]);
    expect(await other.set('o1', 'x')).toBe(true);
    expect(await keyv.delete('a')).toBe(true);
    expect(await keyv.get('a')).toBeUndefined();
    await keyv.clear();
    expect(await keyv.get('u1')).toBeUndefined();
    expect(await other.get('o1')).toBe('x'); // another namespace is untouched
    expect(s.stats().degraded).toBe(0);
  });

  it('carries cache-manager 7 and cacheable 2', async () => {
    const cm = createCache({ stores: [new Keyv({ store: store(), namespace: 'cm' })] });
    let loads = 0;
    const load = async () => ({ n: ++loads });
    expect(await cm.wrap('k', load, 60_000)).toEqual({ n: 1 });
    expect(await cm.wrap('k', load, 60_000)).toEqual({ n: 1 });
    expect(await cm.get('k')).toEqual({ n: 1 });
    expect(await env.server.cli('EXISTS', 'breakwater:keyv:cm:k')).toBe('1');

    const cacheable = new Cacheable({ secondary: new Keyv({ store: store(), namespace: 'cb' }) });
    expect(await cacheable.set('k', 'v', 60_000)).toBe(true);
    expect(await env.server.cli('EXISTS', 'breakwater:keyv:cb:k')).toBe('1');
    const fresh = new Cacheable({ secondary: new Keyv({ store: store(), namespace: 'cb' }) });
    expect(await fresh.get('k')).toBe('v'); // from Redis, not the first one's memory tier
  });

  it('validates options at construction', () => {
    expect(() => store({ prefix: '' })).toThrow(/prefix/);
    expect(() => store({ defaultTtlMs: 0 })).toThrow(/defaultTtlMs/);
    expect(() => store({ ttl: 5 } as unknown as BreakwaterKeyvStoreOptions)).toThrow(
      /unknown option "ttl"/,
    );
  });
});

describe.each<Fault>(['killed', 'frozen'])('Keyv with Redis %s', (fault) => {
  it('get → miss, set → false, delete → false, within the deadline, no error event, reported', async () => {
    const s = store();
    const keyv = new Keyv({ store: s, namespace: 'out' }); // no 'error' listener on purpose
    const cm = createCache({ stores: [new Keyv({ store: s, namespace: 'cmo' })] });
    await keyv.set('k', 'v');
    const end = await inject(env, fault);
    const calls = [
      () => keyv.get('k'),
      () => keyv.set('k', 'w'),
      () => keyv.delete('k'),
      () => keyv.has('k'),
      () => cm.get('k'),
    ];
    const answers = [];
    for (const call of calls) {
      const { value, ms } = await timed(call);
      expect(ms).toBeLessThan(DEADLINE_MS + MARGIN_MS);
      answers.push(value);
    }
    expect(answers).toEqual([undefined, false, false, false, undefined]);
    expect(await cm.wrap('w', async () => 'loaded')).toBe('loaded');
    expect(s.stats().degraded).toBeGreaterThanOrEqual(5);
    await end();
  });
});

describe.each(['kill', 'pause'] as RedisFault[])('Redis %s under load', (fault) => {
  it('cache-manager wrap: every request answered within deadline + 100 ms, no 5xx, misses on /metrics, hits again after recovery', async () => {
    const s = store();
    const cm = createCache({
      stores: [new Keyv({ store: s, namespace: 'drill' })],
      // wrap awaits its write-back unless nonBlocking: see the README.
      nonBlocking: true,
    });
    let loads = 0;
    const handler: http.RequestListener = (req, res) => {
      const id = /^\/item\/(\w+)$/.exec(req.url ?? '')?.[1] ?? 'none';
      void cm
        .wrap(
          `item:${id}`,
          async () => {
            loads += 1;
            return { id, at: Date.now() };
          },
          60_000,
        )
        .then((v) =>
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(v)),
        )
        .catch(() => res.writeHead(500).end());
    };
    const server = await serve(env.adapter, handler);
    open.push(server);
    const agent = new http.Agent({ keepAlive: true });
    let probe = 0;
    let fallbacksDuring = 0;
    const result = await outageUnderLoad({
      server: env.server,
      fault,
      load: { port: server.port, path: (i) => `/item/${i % 20}`, rate: 80 },
      upMs: 400,
      outageMs: 1_600,
      afterMs: 400,
      duringOutage: async () => {
        fallbacksDuring = await server.fallbacks('cache.get');
      },
      recovered: async () => {
        const r = await httpRequest(agent, server.port, `/item/probe${probe++}`, {});
        const key = `breakwater:keyv:drill:item:probe${probe - 1}`;
        return r.status === 200 && (await env.server.cli('EXISTS', key)) === '1';
      },
    });
    agent.destroy();
    const up = expectAnsweredInTime(result.phase('up'), [200], expect);
    const outage = expectAnsweredInTime(
      [...result.phase('outage'), ...result.phase('recovering')],
      [200],
      expect,
    );
    const after = expectAnsweredInTime(result.phase('after'), [200], expect);
    expect(outage.count).toBeGreaterThan(50);
    const stats = s.stats();
    expect(stats.degradedByOperation.get).toBeGreaterThan(0);
    expect(fallbacksDuring).toBeGreaterThan(0);
    const fallbacksAfter = await server.fallbacks('cache.get');
    expect(fallbacksAfter).toBe(stats.degradedByOperation.get);
    // Back: the 20 items are served from Redis again (no more loads once re-cached).
    const loadsBefore = loads;
    for (let i = 0; i < 20; i++) {
      await httpRequest(new http.Agent(), server.port, `/item/${i}`, {});
    }
    await new Promise((r) => setTimeout(r, 100)); // non-blocking write-backs land
    const loadsMid = loads;
    for (let i = 0; i < 20; i++) {
      await httpRequest(new http.Agent(), server.port, `/item/${i}`, {});
    }
    expect(loads).toBe(loadsMid);
    console.log(
      `keyv/cache-manager ${fault}: up ${JSON.stringify(up)} outage ${JSON.stringify(outage)} after ${JSON.stringify(after)} recovery ${Math.round(result.recoveryMs)} ms, loads during drill ${loadsBefore}, degraded ${JSON.stringify(stats.degradedByOperation)}, /metrics cache.get fallbacks ${fallbacksAfter}`,
    );
  });
});
