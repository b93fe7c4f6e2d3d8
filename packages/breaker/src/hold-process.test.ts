import { describe, expect, it } from 'vitest';
import { runNodeScript } from '../../../test-support/node-script.js';
import { holdProcess, processHolds, whileHeld } from './hold-process.js';

describe('holdProcess', () => {
  it('counts holds; a release is idempotent', () => {
    const before = processHolds();
    const a = holdProcess();
    const b = holdProcess();
    expect(processHolds()).toBe(before + 2);
    a();
    a();
    expect(processHolds()).toBe(before + 1);
    b();
    expect(processHolds()).toBe(before);
  });

  it('whileHeld releases when the promise settles either way', async () => {
    const before = processHolds();
    const ok = whileHeld(Promise.resolve(1));
    expect(processHolds()).toBe(before + 1);
    expect(await ok).toBe(1);
    expect(processHolds()).toBe(before);
    await expect(whileHeld(Promise.reject(new Error('x')))).rejects.toThrow('x');
    expect(processHolds()).toBe(before);
  });
});

// The mechanism in a real process: vitest's worker would keep any event loop alive.
describe('holdProcess in a plain node process', () => {
  const script = (hold: boolean): string => `
    import { holdProcess } from '@breakwater/breaker';
    const release = ${hold ? 'holdProcess()' : '() => {}'};
    // The only pending work is an unref'ed timer, as with the library's own timers.
    await new Promise<void>((resolve) => setTimeout(() => { release(); resolve(); }, 300).unref());
    console.log('settled');
  `;

  it('keeps a process whose only timer is unref-ed alive until released, then it exits 0', async () => {
    const r = await runNodeScript(script(true));
    expect(r.stdout).toBe('settled\n');
    expect(r.code).toBe(0);
  });

  it('without the hold the same script exits 13 with the await unsettled (the bug it fixes)', async () => {
    const r = await runNodeScript(script(false));
    expect(r.stdout).toBe('');
    expect(r.code).toBe(13);
  });

  it('a released hold does not keep an idle process alive', async () => {
    const r = await runNodeScript(`
      import { holdProcess } from '@breakwater/breaker';
      holdProcess()();
      setTimeout(() => console.log('never'), 60_000).unref();
      console.log('idle');
    `);
    expect(r.stdout).toBe('idle\n');
    expect(r.code).toBe(0);
    expect(r.timedOut).toBe(false);
  });
});
