/**
 * The operator kit: promtool accepts the rules and the scrape config, the rule unit tests
 * pass (and a wrong expectation fails, so the check can fail), and every metric the alerts and
 * the dashboard use is one @breakwater/metrics exports.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BREAKER_METRICS, REDIS_METRICS } from '@breakwater/metrics';
import { describe, expect, it } from 'vitest';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'operator');
const PROMTOOL = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';

function promtool(args: string[], cwd = dir): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(PROMTOOL, args, { cwd, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

const known = new Set<string>();
for (const m of [...Object.values(BREAKER_METRICS), ...Object.values(REDIS_METRICS)]) {
  known.add(m.name);
  if (m.type === 'histogram')
    for (const s of ['_bucket', '_sum', '_count']) known.add(`${m.name}${s}`);
}

/** Metric-looking identifiers in PromQL expressions (ours all start with these prefixes). */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b((?:circuit_breaker|redis)_[a-z_]+)\b/g)].map((m) => m[1] ?? '');
}

describe('operator kit', () => {
  it('promtool check rules accepts the alert rules', async () => {
    const r = await promtool(['check', 'rules', 'alerts.yml']);
    expect(r.out).toContain('SUCCESS: 4 rules found');
    expect(r.code).toBe(0);
  });

  it('promtool check config accepts the scrape config', async () => {
    const r = await promtool(['check', 'config', 'prometheus.yml']);
    expect(r.out).toMatch(/SUCCESS: prometheus.yml is valid/);
    expect(r.code).toBe(0);
  });

  it('promtool test rules passes the alert unit tests (breaker open, Redis down, fallback rate, flapping)', async () => {
    const r = await promtool(['test', 'rules', 'alerts.test.yml']);
    expect(r.out).toContain('SUCCESS');
    expect(r.code).toBe(0);
  });

  it('a wrong expectation fails promtool test rules (the breaker-open alert is pending at 3m)', async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'bw-rules-'));
    try {
      copyFileSync(path.join(dir, 'alerts.yml'), path.join(tmp, 'alerts.yml'));
      writeFileSync(
        path.join(tmp, 'wrong.test.yml'),
        [
          'rule_files: [alerts.yml]',
          'evaluation_interval: 1m',
          'tests:',
          '  - interval: 1m',
          '    input_series:',
          `      - series: 'circuit_breaker_state{job="svc", instance="a", name="redis"}'`,
          "        values: '2 2 2 2 2 2'",
          '    alert_rule_test:',
          '      - eval_time: 3m',
          '        alertname: CircuitBreakerOpen',
          '        exp_alerts:',
          '          - exp_labels: { severity: warning, job: svc, instance: a, name: redis }',
          '',
        ].join('\n'),
      );
      const r = await promtool(['test', 'rules', 'wrong.test.yml'], tmp);
      expect(r.code).not.toBe(0);
      expect(r.out).toContain('FAILED');
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('alerts and dashboard only use metric names @breakwater/metrics exports', () => {
    const rules = readFileSync(path.join(dir, 'alerts.yml'), 'utf8');
    const dashboard = JSON.parse(
      readFileSync(path.join(dir, 'grafana-dashboard.json'), 'utf8'),
    ) as {
      panels: { title: string; targets: { expr: string }[] }[];
    };
    const ruleExprs = [...rules.matchAll(/expr: (?:>-\n)?([\s\S]*?)\n\s+(?:for|labels):/g)].map(
      (m) => m[1] ?? '',
    );
    expect(ruleExprs).toHaveLength(4);
    const exprs = [...ruleExprs, ...dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr))];
    const used = new Set(exprs.flatMap(metricNames));
    expect(used.size).toBeGreaterThan(8);
    for (const name of used) expect(known, `unknown metric ${name}`).toContain(name);
    for (const p of dashboard.panels) expect(p.targets.length, p.title).toBeGreaterThan(0);
  });
});
