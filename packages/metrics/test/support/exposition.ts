/** Test helpers: parse a Prometheus text exposition, and validate one with promtool. */
import { spawnSync } from 'node:child_process';

export const PROMTOOL_BIN = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';

/**
 * Samples of an exposition as `series → value`, where `series` is the sample line without its
 * value, e.g. `circuit_breaker_state{name="redis"}`. Throws on a duplicate series.
 */
export function parseSamples(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    const series = line.slice(0, at);
    if (samples.has(series)) throw new Error(`duplicate series ${series}`);
    samples.set(series, Number(line.slice(at + 1)));
  }
  return samples;
}

/** The samples whose metric name is exactly `name` (histograms: pass `x_bucket`, `x_sum`…). */
export function samplesOf(samples: Map<string, number>, name: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [series, value] of samples) {
    const metric = series.includes('{') ? series.slice(0, series.indexOf('{')) : series;
    if (metric === name) out[series] = value;
  }
  return out;
}

/** Result of `promtool check metrics < text`. */
export interface PromtoolResult {
  status: number | null;
  /** stdout and stderr together, trimmed: empty when there is no error and no lint warning. */
  output: string;
}

/** Runs `promtool check metrics` with `text` on stdin. */
export function promtoolCheck(text: string): PromtoolResult {
  const r = spawnSync(PROMTOOL_BIN, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (r.error !== undefined) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}
