/**
 * BreakwaterKeyv6Store against real Keyv 6 (devDependency alias `keyv6`) and a real
 * redis-server: used by Keyv as is (no bridge), namespaced keys with Redis TTLs, the Keyv 5
 * layout, and get → miss / set → false by the deadline with Redis killed or frozen. Keyv 6
 * declares Node >= 22.19; on an older Node the file asserts that requirement instead (CI runs
 * it on Node 20, 22 and 24).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Keyv as Keyv5 } from 'keyv';
import { describe, expect, it } from 'vitest';
import { BreakwaterKeyv6Store, BreakwaterKeyvStore } from '@breakwater/recipes/keyv';
import { DEADLINE_MS, MARGIN_MS, inject, timed, useEnv } from './harness.js';
import type { Fault } from './harness.js';

/** Keyv 6's own `engines.node` (from its package.json), e.g. '>= 22.19.0'. */
const keyv6Dir = path.dirname(path.dirname(createRequire(import.meta.url).resolve('keyv6')));
const enginesNode = (
  JSON.parse(readFileSync(path.join(keyv6Dir, 'package.json'), 'utf8')) as {
    engines: { node: string };
  }
).engines.node;
const [, needMajor, needMinor] = /^>=\s*(\d+)\.(\d+)/.exec(enginesNode)!.map(Number);
const [major, minor] = process.versions.node.split('.').map(Number);
const supported = major > needMajor || (major === needMajor && minor >= needMinor);

const loadKeyv6 = async () => (await import('keyv6')).Keyv;

if (!supported) {
  describe(`Keyv 6 on Node ${process.versions.node}`, () => {
    it('is not tested here because Keyv 6 requires a newer Node (its engines field)', () => {
      // The documented requirement (README: Keyv 6 where Node >= 22.19) is Keyv's own.
      expect(enginesNode).toBe('>= 22.19.0');
      expect(supported).toBe(false);
    });
  });
} else {
  const stores: Array<{ disconnect(): Promise<void> }> = [];
  const env = useEnv(() => {
    for (const s of stores.splice(0)) void s.disconnect();
  });
  const store = () => {
    const s = new BreakwaterKeyv6Store(env.adapter);
    stores.push(s);
    return s;
  };

  describe(`Keyv 6 on Node ${process.versions.node}, Redis up`, () => {
    it('is used as is: namespaced keys, absolute expiry as a Redis TTL, many-ops, scoped clear', async () => {
      const Keyv = await loadKeyv6();
      const s = store();
      const keyv = new Keyv({ store: s, namespace: 'users' });
      const other = new Keyv({ store: store(), namespace: 'orders' });
      expect(keyv.store).toBe(s); // not wrapped in Keyv's bridge
      expect(await keyv.set('u1', { name: 'Ada' }, 60_000)).toBe(true);
      expect(await keyv.get('u1')).toEqual({ name: 'Ada' });
      expect(await keyv.has('u1')).toBe(true);
      expect(await keyv.get('nope')).toBeUndefined();
      const pttl = Number(await env.server.cli('PTTL', 'breakwater:keyv:users:u1'));
      expect(pttl).toBeGreaterThan(55_000);
      expect(pttl).toBeLessThanOrEqual(60_000);
      expect(
        await keyv.setMany([
          { key: 'a', value: 1 },
          { key: 'b', value: 2, ttl: 30_000 },
        ]),
      ).toEqual([true, true]);
      expect(await keyv.getMany(['a', 'b', 'c'])).toEqual([1, 2, undefined]);
      expect(Number(await env.server.cli('PTTL', 'breakwater:keyv:users:b'))).toBeGreaterThan(0);
      expect(await keyv.hasMany(['a', 'c'])).toEqual([true, false]);
      expect(await other.set('o1', 'x')).toBe(true);
      // true: Redis acknowledged the delete (whether the key existed or not).
      expect(await keyv.deleteMany(['a', 'c'])).toEqual([true, true]);
      expect(await keyv.get('a')).toBeUndefined();
      expect(await keyv.delete('b')).toBe(true);
      await keyv.clear();
      expect(await keyv.get('u1')).toBeUndefined();
      expect(await other.get('o1')).toBe('x'); // another namespace is untouched
      expect(s.stats().degraded).toBe(0);
    });

    it('reads what Keyv 5 with BreakwaterKeyvStore wrote (same Redis layout)', async () => {
      const Keyv = await loadKeyv6();
      const v5Store = new BreakwaterKeyvStore(env.adapter);
      stores.push(v5Store);
      const v5 = new Keyv5({ store: v5Store, namespace: 'shared' });
      expect(await v5.set('k', { from: 5 }, 60_000)).toBe(true);
      const v6 = new Keyv({ store: store(), namespace: 'shared' });
      expect(await v6.get('k')).toEqual({ from: 5 });
    });
  });

  describe.each<Fault>(['killed', 'frozen'])('Keyv 6 with Redis %s', (fault) => {
    it('get → miss, set → false, delete → false, has → false, by the deadline, no error event', async () => {
      const Keyv = await loadKeyv6();
      const s = store();
      const keyv = new Keyv({ store: s, namespace: 'out' });
      const errors: unknown[] = [];
      keyv.on('error', (e: unknown) => errors.push(e));
      await keyv.set('k', 'v');
      const end = await inject(env, fault);
      const answers = [];
      for (const call of [
        () => keyv.get('k'),
        () => keyv.set('k', 'w', 1_000),
        () => keyv.delete('k'),
        () => keyv.has('k'),
      ]) {
        const { value, ms } = await timed(call);
        expect(ms).toBeLessThan(DEADLINE_MS + MARGIN_MS);
        answers.push(value);
      }
      expect(answers).toEqual([undefined, false, false, false]);
      expect(errors).toEqual([]);
      // Reported per operation (has, after the queued delete, is a miss without a Redis call).
      expect(s.stats().degradedByOperation).toMatchObject({ get: 1, set: 1, delete: 1 });
      await end();
    });
  });
}
