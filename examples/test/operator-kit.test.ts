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
import { OTEL_BREAKER_INSTRUMENTS, OTEL_REDIS_INSTRUMENTS } from '@breakwater/metrics/otel';
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

  describe('OpenTelemetry side', () => {
    it('promtool accepts the OTel alert rules and the collector scrape config', async () => {
      const rules = await promtool(['check', 'rules', 'alerts-otel.yml']);
      expect(rules.out).toContain('SUCCESS: 4 rules found');
      expect(rules.code).toBe(0);
      const config = await promtool(['check', 'config', 'prometheus-otel.yml']);
      expect(config.out).toMatch(/SUCCESS: prometheus-otel.yml is valid/);
      expect(config.code).toBe(0);
    });

    it('promtool test rules passes the same four alerts on the translated OTel names', async () => {
      const r = await promtool(['test', 'rules', 'alerts-otel.test.yml']);
      expect(r.out).toContain('SUCCESS');
      expect(r.code).toBe(0);
    });

    it('the OTel alerts use only names the collector makes of our instruments', () => {
      // The Collector's Prometheus exporter: dots -> underscores, `{…}` units dropped,
      // `s` -> `_seconds`, counters get `_total`, histograms `_bucket`/`_sum`/`_count`.
      const counters = new Set([
        OTEL_REDIS_INSTRUMENTS.operations.name,
        OTEL_REDIS_INSTRUMENTS.reconnects.name,
        OTEL_BREAKER_INSTRUMENTS.calls.name,
        OTEL_BREAKER_INSTRUMENTS.fallbacks.name,
        OTEL_BREAKER_INSTRUMENTS.transitions.name,
      ]);
      const translated = new Set<string>();
      for (const i of [
        ...Object.values(OTEL_REDIS_INSTRUMENTS),
        ...Object.values(OTEL_BREAKER_INSTRUMENTS),
      ]) {
        let base = i.name.replaceAll('.', '_');
        if (i.unit === 's') {
          base += '_seconds';
          for (const s of ['_bucket', '_sum', '_count']) translated.add(base + s);
        }
        translated.add(counters.has(i.name) ? `${base}_total` : base);
      }
      const rules = readFileSync(path.join(dir, 'alerts-otel.yml'), 'utf8');
      const exprs = [...rules.matchAll(/expr: >-\n([\s\S]*?)\n\s+(?:for|labels):/g)].map(
        (m) => m[1] ?? '',
      );
      expect(exprs).toHaveLength(4);
      const used = new Set(
        exprs.flatMap((e) =>
          [...e.matchAll(/\b((?:breakwater|db_client)_[a-z_]+)\s*[{[]/g)].map((m) => m[1] ?? ''),
        ),
      );
      expect([...used].sort()).toEqual([
        'breakwater_breaker_state',
        'breakwater_breaker_state_transitions_total',
        'breakwater_redis_operations_total',
        'db_client_connection_count',
      ]);
      for (const name of used) expect(translated, `unknown metric ${name}`).toContain(name);
    });
  });
});
