/**
 * The README quick start, exactly as written, run as a child `node` process (tsx) with Redis up
 * and with Redis down: it prints what the README says and exits on its own.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startRedis, stopAllRedis } from '../../../test-support/redis-server.js';
import { readmeSnippet } from '../../../test-support/readme-snippet.js';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));

afterAll(() => stopAllRedis());

/** The first ```ts block after the quick-start marker. */
const quickStart = (): string => readmeSnippet(path.join(pkgDir, 'README.md'), '<!-- quick-start');

/** Runs the snippet inside the package (so its imports resolve as a user's would). */
function run(redisUrl: string): Promise<{ code: number | null; out: string; ms: number }> {
  // Inside the package directory: `@breakwater/recipes` resolves by self-reference.
  const dir = mkdtempSync(path.join(pkgDir, '.quick-start-'));
  const file = path.join(dir, 'quick-start.ts');
  writeFileSync(file, quickStart());
  const start = performance.now();
  return new Promise((resolve) => {
    const child = spawn(tsx, [file], {
      env: { ...process.env, REDIS_URL: redisUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(guard);
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, out, ms: performance.now() - start });
    });
  });
}

describe('README quick start', () => {
  it('is under 20 lines', () => {
    expect(quickStart().trimEnd().split('\n').length).toBeLessThan(20);
  });

  it('prints "9.99 ok found" with Redis up and exits on its own', async () => {
    const redis = await startRedis();
    const r = await run(redis.url);
    expect(r.out.trim()).toBe('9.99 ok found');
    expect(r.code).toBe(0);
    expect(await redis.cli('EXISTS', 'sess:sid-1')).toBe('1');
  });
  it('prints "9.99 unavailable unavailable" with Redis down and exits on its own', async () => {
    const r = await run(`redis://127.0.0.1:${await freePort()}`);
    expect(r.out.trim()).toBe('9.99 unavailable unavailable');
    expect(r.code).toBe(0);
  });
});
