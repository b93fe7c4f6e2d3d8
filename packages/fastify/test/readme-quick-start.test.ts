/**
 * The README quick start, exactly as written, run as a child `node` process (tsx) with Redis up
 * and with Redis down: it serves `/` (rate limited) and `/health/ready`, and an outage is
 * degraded (200, `warn`), not down.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { freePort, startRedis, stopAllRedis } from '../../../test-support/redis-server.js';
import { readmeSnippet } from '../../../test-support/readme-snippet.js';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
let running: { child: ChildProcess; dir: string } | undefined;

afterEach(async () => {
  if (running === undefined) return;
  const { child, dir } = running;
  running = undefined;
  if (child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL'); // by the pid this test spawned
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});
afterAll(() => stopAllRedis());

const quickStart = (): string => readmeSnippet(path.join(pkgDir, 'README.md'), '<!-- quick-start');

/** Starts the snippet inside the package (imports resolve as a user's would); waits for `/`. */
async function start(redisUrl: string): Promise<number> {
  const dir = mkdtempSync(path.join(pkgDir, '.quick-start-'));
  const file = path.join(dir, 'quick-start.ts');
  writeFileSync(file, quickStart());
  const port = await freePort();
  // `node --import tsx` (not the tsx CLI, which runs the script in a grandchild that a SIGKILL
  // of the CLI would leave running).
  const child = spawn(process.execPath, ['--import', 'tsx', file], {
    env: { ...process.env, REDIS_URL: redisUrl, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  running = { child, dir };
  const end = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`quick start exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return port;
    if (Date.now() > end) throw new Error('quick start did not listen');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function timedGet(port: number, p: string) {
  const t = performance.now();
  const r = await fetch(`http://127.0.0.1:${port}${p}`);
  return { status: r.status, headers: r.headers, body: await r.text(), ms: performance.now() - t };
}

describe('README quick start', () => {
  it('is under 20 lines', () => {
    expect(quickStart().trimEnd().split('\n').length).toBeLessThan(20);
  });

  it('Redis up: / is counted in Redis, health is pass / 200', async () => {
    const redis = await startRedis();
    const port = await start(redis.url);
    const r = await timedGet(port, '/');
    expect(r.status).toBe(200);
    expect(r.body).toBe('ok');
    expect(r.headers.get('x-ratelimit-limit')).toBe('100');
    expect(Number(await redis.cli('GET', 'breakwater:rl:fastify-rate-limit:127.0.0.1'))).toBe(2);
    const h = await timedGet(port, '/health/ready');
    expect(h.status).toBe(200);
    expect(JSON.parse(h.body).status).toBe('pass');
  });

  it('Redis down: / answers 200 within the 200 ms deadline + 100 ms, health is warn / 200', async () => {
    const port = await start(`redis://127.0.0.1:${await freePort()}`);
    for (let i = 0; i < 5; i++) {
      const r = await timedGet(port, '/');
      expect(r.status).toBe(200);
      expect(r.ms).toBeLessThanOrEqual(300);
    }
    const h = await timedGet(port, '/health/ready');
    expect(h.status).toBe(200);
    expect(JSON.parse(h.body).status).toBe('warn');
  });
});
