/**
 * Redis killed under the example service: the recipes' degraded answers show up on /metrics in
 * the first scrape (redis_operations_total{result="fallback"}, redis_fallbacks_total by reason),
 * and the operator kit's RedisFallbackRateHigh alert fires under `promtool test rules` on series
 * built from those scraped figures (and stays silent on the figures scraped with Redis up).
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startRedis, stopAllRedis } from '../../test-support/redis-server.js';
import { createService } from '../service/create-service.js';

const operatorDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'operator');
const PROMTOOL = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';
const servers: Server[] = [];

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  await stopAllRedis();
});

/** `name{labels} value` samples of one metric in a Prometheus text exposition. */
function samples(text: string, metric: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue;
    const space = line.lastIndexOf(' ');
    out.set(line.slice(metric.length, space), Number(line.slice(space + 1)));
  }
  return out;
}

const sum = (m: Map<string, number>, match: string): number =>
  [...m].filter(([labels]) => labels.includes(match)).reduce((s, [, v]) => s + v, 0);

/**
 * A promtool rule test: every redis_operations_total series grows by what it grew between two
 * scrapes, once per minute, for 20 minutes; `firing` says whether the alert is expected.
 */
function ruleTest(
  before: Map<string, number>,
  after: Map<string, number>,
  firing: boolean,
): string {
  const series = [...after].map(([labels, value]) => {
    const step = value - (before.get(labels) ?? 0);
    const withJob = labels.replace('{', '{job="example-service",instance="test",');
    return `      - series: 'redis_operations_total${withJob}'\n        values: '0+${step}x20'`;
  });
  let fallbackStep = 0;
  let totalStep = 0;
  for (const [labels, value] of after) {
    const step = value - (before.get(labels) ?? 0);
    totalStep += step;
    if (labels.includes('result="fallback"')) fallbackStep += step;
  }
  // humanizePercentage of the fallback share (these tests use shares that print exactly).
  const share = `${Math.round((fallbackStep / totalStep) * 100)}%`;
  const expected = firing
    ? [
        '        exp_alerts:',
        '          - exp_labels: { severity: warning, job: example-service, client: redis }',
        '            exp_annotations:',
        "              summary: 'More than 5% of Redis operations of example-service fall back'",
        `              description: '${share} of the operations of client redis were answered by fallbacks over 5 minutes (cache misses, limiter outage policy, sessions unavailable). See redis_fallbacks_total by operation and reason.'`,
      ]
    : ['        exp_alerts: []'];
  return [
    'rule_files: [alerts.yml]',
    'evaluation_interval: 1m',
    'tests:',
    '  - interval: 1m',
    '    input_series:',
    ...series,
    '    alert_rule_test:',
    '      - eval_time: 16m',
    '        alertname: RedisFallbackRateHigh',
    ...expected,
    '',
  ].join('\n');
}

function promtoolTest(content: string): Promise<{ code: number; out: string }> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'bw-fallback-rules-'));
  copyFileSync(path.join(operatorDir, 'alerts.yml'), path.join(tmp, 'alerts.yml'));
  writeFileSync(path.join(tmp, 'scraped.test.yml'), content);
  return new Promise((resolve) => {
    execFile(
      PROMTOOL,
      ['test', 'rules', 'scraped.test.yml'],
      { cwd: tmp, timeout: 30_000 },
      (err, stdout, stderr) => {
        rmSync(tmp, { recursive: true, force: true });
        resolve({ code: err ? 1 : 0, out: `${stdout}${stderr}` });
      },
    );
  });
}

describe('example service with Redis killed: fallbacks counted and alertable', () => {
  it('/metrics shows the recipe fallbacks in one scrape and RedisFallbackRateHigh fires', async () => {
    const redis = await startRedis();
    const service = await createService({
      redisUrl: redis.url,
      adapter: { operationTimeout: 200, breaker: { resetTimeout: 500 } },
    });
    try {
      const server = await new Promise<Server>((resolve) => {
        const s = service.app.listen(0, '127.0.0.1', () => resolve(s));
      });
      servers.push(server);
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const scrape = async () =>
        samples(await (await fetch(`${base}/metrics`)).text(), 'redis_operations_total');
      const traffic = async (n: number): Promise<string[]> => {
        const degraded: string[] = [];
        for (let i = 0; i < n; i++) {
          const res = await fetch(`${base}/products/${i % 3}`);
          expect(res.status).toBe(200);
          degraded.push(res.headers.get('x-degraded') ?? '');
        }
        return degraded;
      };

      const start = await scrape();
      expect(await traffic(11)).toEqual(Array(11).fill(''));
      const up = await scrape();
      expect(sum(up, 'result="success"')).toBeGreaterThan(0);
      expect(sum(up, 'result="fallback"')).toBe(0);

      await redis.kill();
      const degraded = await traffic(11);
      expect(degraded.every((d) => d.includes('rate-limit'))).toBe(true);
      // One scrape, right after the requests: every degraded answer is already counted.
      const text = await (await fetch(`${base}/metrics`)).text();
      const down = samples(text, 'redis_operations_total');
      const fallbacks = samples(text, 'redis_fallbacks_total');
      const limiterFallbacks = sum(down, 'operation="rate-limiter.consume",result="fallback"');
      const cacheFallbacks = sum(down, 'operation="cache.get",result="fallback"');
      expect(limiterFallbacks).toBe(11);
      expect(cacheFallbacks).toBe(11);
      expect(sum(fallbacks, '')).toBe(sum(down, 'result="fallback"'));
      // Reasons are labelled: not-ready (fail-fast while reconnecting) and/or circuit-open.
      const reasons = [...fallbacks]
        .filter(([, v]) => v > 0)
        .map(([l]) => /reason="([^"]+)"/.exec(l)?.[1]);
      expect(
        reasons.every((r) =>
          ['not-ready', 'circuit-open', 'connection', 'timeout'].includes(r ?? ''),
        ),
      ).toBe(true);
      // The wrap write-backs run in the background: /metrics catches up with the recipes' own
      // count of degraded answers (each request's consume and cache read were in the first scrape).
      let last = -1;
      for (let i = 0; i < 50 && last !== service.stats().fallbacks; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 100));
        last = sum(await scrape(), 'result="fallback"');
      }
      expect(last).toBe(service.stats().fallbacks);
      console.log(
        `[fallback metrics] 11 requests with Redis killed: ${sum(down, 'result="fallback"')} fallbacks on /metrics ` +
          `(rate-limiter.consume ${limiterFallbacks}, cache.get ${cacheFallbacks}); by reason ${JSON.stringify(
            Object.fromEntries([...fallbacks].filter(([, v]) => v > 0)),
          )}`,
      );

      // The alert on these figures: fires for the outage traffic, silent for the healthy one.
      const outage = await promtoolTest(ruleTest(up, down, true));
      expect(outage.out).toContain('SUCCESS');
      expect(outage.code).toBe(0);
      const healthy = await promtoolTest(ruleTest(start, up, false));
      expect(healthy.out).toContain('SUCCESS');
      expect(healthy.code).toBe(0);
      // And the check can fail: the healthy figures do not make it fire.
      const wrong = await promtoolTest(ruleTest(start, up, true));
      expect(wrong.code).not.toBe(0);
    } finally {
      await service.close();
    }
  });
});
