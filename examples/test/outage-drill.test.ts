/**
 * The short form of the drill, as CI runs it: its own redis-server, the example service,
 * steady load through idle reaping, SIGKILL + restart, SIGSTOP / SIGCONT and DEBUG SLEEP.
 * Zero 5xx, every request answered, p99 within the budget, degraded answers during the outages,
 * the breaker closed at the end, the chart written, and every process it started gone.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHORT_PLAN, planDuration } from '../demo/drill-plan.js';
import { DRILL_ADAPTER_OPTIONS, runDrill } from '../demo/run-drill.js';
import { startRedis } from '../../test-support/redis-server.js';

const BUDGET_MS = 1000;
const RATE = 100;

describe('outage drill (short form)', () => {
  it('keeps every request answered without a 5xx and within the budget through every fault', async () => {
    const outDir = mkdtempSync(path.join(os.tmpdir(), 'bw-drill-out-'));
    const lines: string[] = [];
    try {
      const report = await runDrill({
        plan: SHORT_PLAN,
        rate: RATE,
        concurrency: 128,
        budgetMs: BUDGET_MS,
        capMs: 5000,
        adapter: DRILL_ADAPTER_OPTIONS,
        redis: 'auto',
        outDir,
        print: (l) => lines.push(l),
      });
      const text = lines.join('\n');
      expect(report.redis, text).toBe('spawned');
      expect(report.total.errors, text).toBe(0);
      expect(report.total.hung, text).toBe(0);
      expect(report.total.p99, text).toBeLessThanOrEqual(BUDGET_MS);
      expect(report.total.max, text).toBeLessThan(3000);
      expect(report.verdict).toEqual({ ok: true, reasons: [] });
      // Open-loop load: most of the scheduled requests were sent despite the faults.
      const expected = (planDuration(SHORT_PLAN) / 1000) * RATE;
      expect(report.total.requests).toBeGreaterThan(expected * 0.7);
      expect(report.phases.map((p) => p.kind)).toEqual(SHORT_PLAN.map((p) => p.kind));
      for (const p of report.phases) {
        expect(p.summary.requests, p.kind).toBeGreaterThan(0);
        expect(p.skipped).toBeUndefined();
      }
      // Dead and frozen servers were answered from the outage policies, and the breaker, whatever
      // it did meanwhile, ended closed: the service recovered.
      for (const kind of ['kill', 'freeze'] as const) {
        const phase = report.phases.find((p) => p.kind === kind);
        expect(phase?.summary.degraded, `${kind}\n${text}`).toBeGreaterThan(0);
      }
      expect(report.transitions.at(-1)?.to ?? 'closed', text).toBe('closed');
      expect(report.fallbacks).toBeGreaterThan(0);
      // A live line per second, then the summary and the verdict.
      expect(lines.filter((l) => /\d+ req \| 5xx +\d+ \|/.test(l)).length).toBeGreaterThanOrEqual(
        Math.floor(planDuration(SHORT_PLAN) / 1000) - 2,
      );
      expect(text).toContain('TOTAL');
      expect(text).toContain('PASS');
      const html = readFileSync(path.join(outDir, 'outage-drill.html'), 'utf8');
      expect(html).toContain('<svg');
      expect(html).toContain('PASS');
      expect(existsSync(path.join(outDir, 'outage-drill.svg'))).toBe(true);
      // The redis-server it started is gone.
      const pid = Number(/\(pid (\d+)\)/.exec(text)?.[1]);
      expect(pid).toBeGreaterThan(0);
      expect(() => process.kill(pid, 0)).toThrow();
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });

  it('runs with Redis absent, and skips the faults on a server it did not start', async () => {
    const lines: string[] = [];
    const common = {
      rate: 50,
      concurrency: 32,
      budgetMs: BUDGET_MS,
      capMs: 5000,
      adapter: { ...DRILL_ADAPTER_OPTIONS, connectTimeout: 500 },
      outDir: null,
      print: (l: string) => lines.push(l),
    };
    const absent = await runDrill({
      ...common,
      plan: [{ kind: 'baseline', durationMs: 1500, faultMs: 0 }],
      redis: 'absent',
    });
    expect(absent.redis).toBe('absent');
    expect(lines.join('\n')).toContain('running with Redis absent');
    expect(absent.total.errors).toBe(0);
    expect(absent.total.requests).toBeGreaterThan(40);
    // Every answer came from the outage policies, quickly.
    expect(absent.total.degraded).toBe(absent.total.requests);
    expect(absent.total.p99).toBeLessThanOrEqual(BUDGET_MS);

    const redis = await startRedis();
    try {
      const external = await runDrill({
        ...common,
        plan: [
          { kind: 'baseline', durationMs: 500, faultMs: 0 },
          { kind: 'kill', durationMs: 1000, faultMs: 500 },
        ],
        redis: { url: redis.url },
      });
      expect(external.redis).toBe('external');
      expect(external.phases[1]?.skipped).toBe('no redis-server owned by the drill');
      expect(redis.running).toBe(true); // not killed: not the drill's
      expect(external.total.errors).toBe(0);
      expect(external.total.ok).toBeGreaterThan(0);
    } finally {
      await redis.stop();
    }
  });
});
