/**
 * The README's Bulkhead example, exactly as written, run as a child `node` process (tsx): it
 * prints what the README says and exits on its own (a queued call's timer never holds the
 * process once everything has settled).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readmeSnippet } from '../../../test-support/readme-snippet.js';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));

/** The first ```ts block of the "## Bulkhead" section. */
const example = (): string => readmeSnippet(path.join(pkgDir, 'README.md'), '\n## Bulkhead\n');

function run(): Promise<{ code: number | null; out: string }> {
  // Inside the package directory: `@breakwater/breaker` resolves by self-reference (to dist/).
  const dir = mkdtempSync(path.join(pkgDir, '.readme-'));
  const file = path.join(dir, 'bulkhead.ts');
  writeFileSync(file, example());
  return new Promise((resolve) => {
    const child = spawn(tsx, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const guard = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (code) => {
      clearTimeout(guard);
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, out });
    });
  });
}

describe('README Bulkhead example', () => {
  it('prints what the README says and exits on its own', async () => {
    const r = await run();
    expect(r.out.trim().split('\n')).toEqual([
      "[ 'hit', 'hit', 'BulkheadRejectedError', 'BulkheadRejectedError' ]",
      'false 0',
    ]);
    expect(r.code).toBe(0);
  });
});
