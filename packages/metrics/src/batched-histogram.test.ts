/** BatchedHistogram: prom-client's exposition format, reset, and conflicts with foreign histograms. */
import { Histogram, Registry } from 'prom-client';
import { describe, expect, test } from 'vitest';
import { BatchedHistogram } from './batched-histogram.js';
import { isMetricConflictError } from './errors.js';
import { getOrCreateHistogram } from './metric-store.js';
import { BREAKER_METRICS } from './metric-names.js';

describe('BatchedHistogram', () => {
  test('prints exactly what a prom-client Histogram prints for the same observations', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const labels = { name: 'a', outcome: 'success' };
    const h = new BatchedHistogram('d_seconds', 'help', ['name', 'outcome'], [0.001, 0.01], ours);
    const p = new Histogram({
      name: 'd_seconds',
      help: 'help',
      labelNames: ['name', 'outcome'],
      buckets: [0.001, 0.01],
      registers: [theirs],
    });
    const s = h.seriesOf(labels);
    for (const v of [0.0005, 0.001, 0.002, 0.5, 0.01]) {
      s.observe(v);
      p.observe(labels, v);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    ours.resetMetrics();
    expect(await ours.metrics()).toContain('d_seconds_count{name="a",outcome="success"} 0');
    h.remove(labels);
    expect(await ours.metrics()).not.toContain('d_seconds_count');
  });

  test('drops and counts NaN, infinite and negative observations; _sum stays a number', async () => {
    const registry = new Registry();
    const h = new BatchedHistogram('d_seconds', 'help', ['name'], [0.001, 0.01], registry);
    const s = h.seriesOf({ name: 'a' });
    s.observe(0.002);
    for (const bad of [NaN, Infinity, -Infinity, -0.5]) s.observe(bad);
    s.observe(0);
    expect(s).toMatchObject({ count: 2, sum: 0.002, dropped: 4 });
    const text = await registry.metrics();
    expect(text).toContain('d_seconds_sum{name="a"} 0.002');
    expect(text).toContain('d_seconds_count{name="a"} 2');
    expect(text).toContain('d_seconds_bucket{le="+Inf",name="a"} 2');
    expect(text).not.toContain('NaN');
    registry.resetMetrics();
    expect(s.dropped).toBe(0);
  });

  test('a prom-client histogram of the same name is a conflict', () => {
    const registry = new Registry();
    new Histogram({
      name: BREAKER_METRICS.callDuration.name,
      help: 'x',
      labelNames: ['name', 'outcome'],
      registers: [registry],
    });
    let error: unknown;
    try {
      getOrCreateHistogram(registry, '', BREAKER_METRICS.callDuration, [0.1]);
    } catch (e) {
      error = e;
    }
    expect(isMetricConflictError(error)).toBe(true);
  });
});
