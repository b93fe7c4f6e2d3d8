/** Percentiles and per-window summaries of load samples. */
import type { Outcome, Sample } from './load-generator.js';

export interface Summary {
  requests: number;
  ok: number;
  degraded: number;
  rejected: number;
  errors: number;
  hung: number;
  /** Latencies in milliseconds; hung requests count as the cap (a lower bound). */
  p50: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array; 0 when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? 0;
}

const KEY: Record<Outcome, keyof Summary> = {
  ok: 'ok',
  degraded: 'degraded',
  rejected: 'rejected',
  error: 'errors',
  hung: 'hung',
};

export function summarize(samples: readonly Sample[]): Summary {
  const s: Summary = {
    requests: 0,
    ok: 0,
    degraded: 0,
    rejected: 0,
    errors: 0,
    hung: 0,
    p50: 0,
    p99: 0,
    max: 0,
  };
  const ms: number[] = [];
  for (const x of samples) {
    s.requests++;
    s[KEY[x.outcome]]++;
    ms.push(x.ms);
  }
  ms.sort((a, b) => a - b);
  s.p50 = percentile(ms, 50);
  s.p99 = percentile(ms, 99);
  s.max = ms.length ? (ms[ms.length - 1] ?? 0) : 0;
  return s;
}

/** Samples whose request was issued in [from, to). */
export function issuedBetween(samples: readonly Sample[], from: number, to: number): Sample[] {
  return samples.filter((x) => x.start >= from && x.start < to);
}

/** One bucket of a timeline: the requests issued in [start, start + width). */
export interface Bucket {
  start: number;
  summary: Summary;
}

/** Buckets of `width` ms from `from` to `to`, by issue time. */
export function timeline(
  samples: readonly Sample[],
  from: number,
  to: number,
  width: number,
): Bucket[] {
  const n = Math.max(1, Math.ceil((to - from) / width));
  const groups: Sample[][] = Array.from({ length: n }, () => []);
  for (const x of samples) {
    const i = Math.floor((x.start - from) / width);
    if (i >= 0 && i < n) groups[i]?.push(x);
  }
  return groups.map((g, i) => ({ start: from + i * width, summary: summarize(g) }));
}

/** Formats milliseconds for tables: `0.8`, `12`, `1 020`. */
export function fmtMs(ms: number): string {
  if (ms < 10) return ms.toFixed(1);
  return Math.round(ms).toLocaleString('en-US').replace(/,/g, ' ');
}
