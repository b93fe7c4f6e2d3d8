/**
 * The README's Bulkhead example, exactly as written, run as a child `node` process (tsx): it
 * prints what the README says and exits on its own (a queued call's timer never holds the
 * process once everything has settled).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));

/** The first ```ts block of the "## Bulkhead" section. */
function example(): string {
  const readme = readFileSync(path.join(pkgDir, 'README.md'), 'utf8');
  const from = readme.indexOf('\n## Bulkhead\n');
  const m = /```ts\n([\s\S]*?)```/.exec(readme.slice(from));
  if (from < 0 || m?.[1] === undefined) throw new Error('Bulkhead example not found in README.md');
  return m[1];
}

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
