/**
 * The breaker's one deadline timer must hold the process open while a call with a deadline is
 * pending (every call settles, even when its op hangs on nothing), and must not hold it once no
 * such call is (an idle breaker, or one whose calls have settled, lets the process exit).
 * Each case runs a real child `node` process that imports the TypeScript sources through tsx.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const entry = JSON.stringify(fileURLToPath(new URL('../src/index.ts', import.meta.url)));

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `body` as an ES module in a child node (with tsx), killing it after `killAfterMs`. */
function runChild(body: string, killAfterMs: number): Promise<Exit> {
  const code = `const { CircuitBreaker } = await import(${entry});\n${body}`;
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: packageDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (exitCode, signal) => {
      clearTimeout(killer);
      resolve({ code: exitCode, signal, stdout, stderr, ms: Date.now() - started });
    });
  });
}

// Generous: startup (tsx compiling the sources) takes seconds on a loaded machine. Every
// child must exit by itself well before the 10-minute timeouts some of them use.
const KILL_AFTER = 40_000;
const EXIT_WITHIN = 30_000;

describe('process lifetime (child node process)', () => {
  it('a call whose op hangs on nothing settles with the fallback at its deadline, then the process exits 0', async () => {
    const r = await runChild(
      `const breaker = new CircuitBreaker('hang');
       const t0 = Date.now();
       const v = await breaker.execute(() => new Promise(() => {}), () => 'fallback', { timeout: 50 });
       console.log(v, Date.now() - t0 >= 49 ? 'after-deadline' : 'too-early');`,
      KILL_AFTER,
    );
    expect(r.stderr).toBe('');
    expect(r.signal).toBeNull(); // not killed by the bound
    expect(r.code).toBe(0); // not 13 (unsettled top-level await)
    expect(r.stdout.trim()).toBe('fallback after-deadline');
    expect(r.ms).toBeLessThan(EXIT_WITHIN);
  });

  it('without a fallback, the hung call rejects with a TimeoutError at its deadline', async () => {
    const r = await runChild(
      `const breaker = new CircuitBreaker('hang', { timeout: 50 });
       try {
         await breaker.execute(() => new Promise(() => {}));
         console.log('resolved?');
       } catch (e) {
         console.log(e.name, breaker.getStats().failureCount);
       }`,
      KILL_AFTER,
    );
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('TimeoutError 1');
  });

  it('once calls with a long deadline have settled, the left-over timer does not hold the process', async () => {
    // A 10-minute timeout: if the armed timer stayed ref'ed, the child would outlive KILL_AFTER.
    const r = await runChild(
      `const breaker = new CircuitBreaker('quick', { timeout: 600_000 });
       for (let i = 0; i < 3; i++) await breaker.execute(async () => i);
       await breaker.execute(() => new Promise((r) => setTimeout(r, 20, 'slow-ok')));
       console.log('done', breaker.getStats().successCount);`,
      KILL_AFTER,
    );
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('done 4');
    expect(r.ms).toBeLessThan(EXIT_WITHIN);
  });

  it('an idle breaker lets the process exit at once', async () => {
    const r = await runChild(
      `const breakers = Array.from({ length: 100 }, (_, i) => new CircuitBreaker('b' + i, { timeout: 600_000 }));
       console.log('idle', breakers.length, process.getActiveResourcesInfo().filter((x) => x === 'Timeout').length);`,
      KILL_AFTER,
    );
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('idle 100 0');
    expect(r.ms).toBeLessThan(EXIT_WITHIN);
  });
});
