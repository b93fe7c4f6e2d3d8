/** The outage bench's markdown table and comparison chart. */
import { fmtMs } from '../demo/stats.js';
import { renderTimelineSvg } from '../demo/timeline-chart.js';
import { CONTESTANT_LABELS } from './contestants.js';
import type { ContestantResult } from './run-contestant.js';

const FAULT_NAMES: Record<string, string> = {
  baseline: 'baseline',
  'idle-reaping': 'idle reaping',
  kill: 'SIGKILL + restart',
  freeze: 'SIGSTOP / SIGCONT',
  slow: 'DEBUG SLEEP',
  recovery: 'recovery',
};

function ms(v: number | null, hasFault: boolean): string {
  if (v === null) return hasFault ? 'never' : '–';
  return `${fmtMs(v)} ms`;
}

/** One markdown table: a row per client and phase. */
export function renderOutageTable(results: readonly ContestantResult[], capMs: number): string {
  const capText = `${capMs / 1000} s`;
  const lines = [
    `| client | phase | requests | ok | errors | fallbacks | hung > ${capText} | p50 ms | p99 ms | max ms | fault → first error or fallback | recovery → first success | heap Δ after GC (peak) |`,
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of results) {
    for (const p of r.phases) {
      if (p.kind === 'recovery') continue;
      const s = p.summary;
      const lat = (v: number): string =>
        s.hung > 0 && v >= capMs ? `> ${fmtMs(capMs)}` : fmtMs(v);
      // Idle reaping is not an outage: its errors and fallbacks are in their columns.
      const fault = p.windows.length > 0 && p.kind !== 'idle-reaping';
      const toFallback = fault ? ms(p.toFirstFallbackMs, true) : '–';
      const toSuccess = fault ? ms(p.toFirstSuccessMs, true) : '–';
      const heap =
        p.heapGrowthMB === null
          ? '–'
          : `${p.heapGrowthMB.toFixed(1)} MB (${(p.heapPeakMB ?? 0).toFixed(1)})`;
      lines.push(
        `| ${CONTESTANT_LABELS[r.name]} | ${FAULT_NAMES[p.kind] ?? p.kind} | ${s.requests} | ${s.ok} | ${s.errors} | ${s.degraded} | ${s.hung} | ${fmtMs(s.p50)} | ${lat(s.p99)} | ${lat(s.max)} | ${toFallback} | ${toSuccess} | ${heap} |`,
      );
    }
  }
  return lines.join('\n');
}

/** Small multiples: one latency panel per client, fault windows shaded. */
export function renderOutageSvg(results: readonly ContestantResult[], capMs: number): string {
  const first = results[0];
  const windows = (first?.phases ?? []).flatMap((p) =>
    p.windows.map((w, i) => ({
      start: w.start,
      end: w.end,
      label: i === 0 ? (FAULT_NAMES[p.kind] ?? p.kind) : '',
    })),
  );
  const to = Math.max(...results.map((r) => r.durationMs));
  return renderTimelineSvg({
    title: `Outage drill, same load and faults for each client (p50/p99 per ${((first?.buckets[1]?.start ?? 500) - (first?.buckets[0]?.start ?? 0)) / 1000} s, cap ${capMs / 1000} s)`,
    from: 0,
    to,
    rows: results.map((r) => ({ label: CONTESTANT_LABELS[r.name], buckets: r.buckets })),
    windows,
    yMaxMs: capMs,
    width: 900,
    panelHeight: 70,
  });
}
