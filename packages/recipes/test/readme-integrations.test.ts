/**
 * The README's framework integration examples (express-rate-limit, express-session, Keyv), each
 * exactly as written, run as a child `node` process (tsx) inside the package, with Redis up and
 * with nothing listening on the Redis port. The servers answer what the README promises and exit
 * within 1 s of SIGTERM; the Keyv script exits 0 by itself. Appended: a probe line (and, for the
 * Keyv script, one `console.log` and `close()`), nothing else changed but the listen port.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNodeScript } from '../../../test-support/node-script.js';
import { freePort, startRedis, stopAllRedis } from '../../../test-support/redis-server.js';
import type { RedisServer } from '../../../test-support/redis-server.js';
import { readmeSnippet } from '../../../test-support/readme-snippet.js';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
/** Inside the package, so that express, keyv, … resolve from its node_modules. */
const DIR = path.join(pkgDir, '.tmp');
/**
 * A hang guard, not a speed claim: tsx start-up plus connect() settling by connectTimeout (2 s)
 * with Redis down, the six cases side by side (3.5–6.5 s each at load 0.4 on 2 cores).
 */
const START_MS = 15_000;

/** The first ```ts block under `heading` in the README. */
const section = (heading: string): string =>
  readmeSnippet(path.join(pkgDir, 'README.md'), `\n${heading}\n`);

let redis: RedisServer;
let downUrl: string;
beforeAll(async () => {
  redis = await startRedis();
  downUrl = `redis://127.0.0.1:${await freePort()}`;
});
afterAll(() => stopAllRedis());

/** Runs a server example on a free port, asks `path` once, SIGTERMs it; returns the answer. */
async function serve(heading: string, url: string, probePath: string): Promise<string> {
  const code = section(heading);
  expect(code.match(/\.listen\(3000\)/g), '.listen(3000) once').toHaveLength(1);
  const port = await freePort();
  const r = await runNodeScript(
    `${code.replace('.listen(3000)', `.listen(${port})`)}
const probeRes = await fetch('http://127.0.0.1:${port}${probePath}');
console.log('readme: ready', probeRes.status, await probeRes.text());
`,
    {
      dir: DIR,
      env: { REDIS_URL: url, SESSION_SECRET: 'readme-test' },
      timeoutMs: START_MS + 10_000,
      sigtermWhen: /readme: ready.*\n/,
    },
  );
  expect(r.stderr).toBe('');
  expect(r.msToMarker).toBeLessThan(START_MS);
  expect(r.msAfterSigterm).toBeLessThan(1_000);
  expect(r.signal).toBe('SIGTERM'); // no handler of its own: node's default, immediate
  return /readme: ready (.*)/.exec(r.stdout)?.[1] ?? r.stdout;
}

describe.concurrent('recipes README integration examples as child node processes', () => {
  const limit = '### `@breakwater/recipes/express-rate-limit`';
  it('express-rate-limit, Redis up: counted in Redis', async () => {
    expect(await serve(limit, redis.url, '/')).toBe('200 ok');
    expect(await redis.cli('KEYS', 'breakwater:rl:*')).not.toBe('');
  });
  it('express-rate-limit, nothing listening: 200 (onOutage open)', async () => {
    expect(await serve(limit, downUrl, '/')).toBe('200 ok');
  });

  const sessions = '### `@breakwater/recipes/express-session`';
  it('express-session, Redis up: a new session, stored in Redis', async () => {
    expect(await serve(sessions, redis.url, '/me')).toBe('200 {"views":1}');
    expect(await redis.cli('KEYS', '*sess*')).not.toBe('');
  });
  it('express-session, nothing listening: still answers, no 500', async () => {
    expect(await serve(sessions, downUrl, '/me')).toBe('200 {"views":1}');
  });

  const keyv = (url: string) =>
    runNodeScript(
      `${section('### `@breakwater/recipes/keyv`')}
console.log(JSON.stringify({ user, product }));
await redis.close();
`,
      { dir: DIR, env: { REDIS_URL: url }, timeoutMs: START_MS + 10_000 },
    );
  it('keyv + cache-manager, Redis up: the user is read back, exits 0', async () => {
    const r = await keyv(redis.url);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('{"user":{"name":"Ada"},"product":{"id":42}}');
    expect(r.code).toBe(0);
  });
  it('keyv + cache-manager, nothing listening: a miss, the loader runs, exits 0', async () => {
    const r = await keyv(downUrl);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('{"product":{"id":42}}');
    expect(r.ms).toBeLessThan(START_MS);
    expect(r.code).toBe(0);
  });
});
