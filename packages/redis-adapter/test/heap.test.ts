/**
 * Memory stays flat during a 10 s outage at full call rate: no offline queue, short-circuited
 * calls allocate next to nothing. Measured in a child process with --expose-gc.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { startRedis, stopAllRedis } from '../../../test-support/redis-server.js';

afterAll(stopAllRedis);

it('heap stays flat during a 10 s outage at full call rate', async () => {
  const server = await startRedis();
  const script = fileURLToPath(new URL('./fixtures/outage-heap.ts', import.meta.url));
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', script, server.url], {
    stdio: ['pipe', 'pipe', 'pipe'],
    cwd: fileURLToPath(new URL('..', import.meta.url)),
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const connected = new Promise<void>((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('connected')) resolve();
    });
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const early = await Promise.race([connected.then(() => null), exited.then((c) => `exit ${c}`)]);
  expect(early, err).toBeNull();
  await server.kill(); // the outage
  child.stdin.end('go\n');
  const code = await exited;
  expect(err).toBe('');
  expect(code).toBe(0);
  const line = out.split('\n').find((l) => l.startsWith('{'));
  const r = JSON.parse(line ?? '{}') as {
    calls: number;
    fallbacks: number;
    callsPerSecond: number;
    baseline: number;
    end: number;
    max: number;
    state: string;
    closedCalls: number;
    closedFallbacks: number;
    closedKinds: Record<string, number>;
    closedBaseline: number;
    closedMax: number;
  };
  const growthMb = (r.max - r.baseline) / 1024 / 1024;
  console.log(
    `outage: ${r.calls} calls (${r.callsPerSecond}/s), heapUsed baseline ${(r.baseline / 1048576).toFixed(1)} MB, ` +
      `max +${growthMb.toFixed(2)} MB, end +${((r.end - r.baseline) / 1048576).toFixed(2)} MB`,
  );
  expect(r.fallbacks).toBe(r.calls); // every call settled with the fallback
  expect(r.callsPerSecond).toBeGreaterThan(10_000);
  expect(growthMb).toBeLessThan(2);
  // Breaker forced closed: every call waits the grace on the connection, then falls back.
  const closedGrowthMb = (r.closedMax - r.closedBaseline) / 1024 / 1024;
  console.log(
    `breaker forced closed: ${r.closedCalls} calls through the not-ready path, ` +
      `heap max +${closedGrowthMb.toFixed(2)} MB, fallback kinds ${JSON.stringify(r.closedKinds)}`,
  );
  expect(r.closedFallbacks).toBe(r.closedCalls);
  // Each of them waited the grace and fell back as not-ready. A 'timeout' here would mean a
  // deadline fired early: the breaker's cached clock once went stale during the long run of
  // promise reactions above and made 1 s deadlines fire after ~3 ms.
  expect(r.closedKinds).toEqual({ 'not-ready': r.closedCalls });
  expect(closedGrowthMb).toBeLessThan(2);
}, 40_000);
