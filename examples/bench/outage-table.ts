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

type Phase = ContestantResult['phases'][number];

function phaseOf(r: ContestantResult, kind: string): Phase | undefined {
  return r.phases.find((p) => p.kind === kind);
}

/**
 * The summary: one column per client, one row per question (the README headline's shape).
 * "hung / errors / fallbacks" counts requests issued from the fault to the next phase.
 */
export function renderOutageSummary(results: readonly ContestantResult[], capMs: number): string {
  const cap = `${capMs / 1000} s`;
  const lat = (p: Phase | undefined): string => {
    if (p === undefined) return '–';
    const s = p.summary;
    const v = (x: number): string => (s.hung > 0 && x >= capMs ? `> ${cap}` : fmtMs(x));
    return `${fmtMs(s.p50)} / ${v(s.p99)} / ${v(s.max)}`;
  };
  const counts = (p: Phase | undefined): string =>
    p === undefined ? '–' : `${p.summary.hung} / ${p.summary.errors} / ${p.summary.degraded}`;
  const heap = (p: Phase | undefined): string =>
    p?.heapGrowthMB === null || p === undefined ? '–' : `${p.heapGrowthMB.toFixed(1)} MB`;
  const first = (p: Phase | undefined): string =>
    p === undefined ? '–' : ms(p.toFirstSuccessMs, true);
  const rows: [string, (r: ContestantResult) => string][] = [
    [`SIGKILL: hung > ${cap} / errors / fallbacks`, (r) => counts(phaseOf(r, 'kill'))],
    ['SIGKILL: p50 / p99 / max ms', (r) => lat(phaseOf(r, 'kill'))],
    [`SIGSTOP: hung > ${cap} / errors / fallbacks`, (r) => counts(phaseOf(r, 'freeze'))],
    ['SIGSTOP: p50 / p99 / max ms', (r) => lat(phaseOf(r, 'freeze'))],
    [`DEBUG SLEEP: hung > ${cap} / errors / fallbacks`, (r) => counts(phaseOf(r, 'slow'))],
    ['DEBUG SLEEP: p50 / p99 / max ms', (r) => lat(phaseOf(r, 'slow'))],
    [`idle reaping: hung > ${cap} / errors / fallbacks`, (r) => counts(phaseOf(r, 'idle-reaping'))],
    ['idle reaping: p50 / p99 / max ms', (r) => lat(phaseOf(r, 'idle-reaping'))],
    [
      'heap retained after the kill / the freeze',
      (r) => `${heap(phaseOf(r, 'kill'))} / ${heap(phaseOf(r, 'freeze'))}`,
    ],
    ['restart → first success', (r) => first(phaseOf(r, 'kill'))],
    ['SIGCONT → first success', (r) => first(phaseOf(r, 'freeze'))],
  ];
  const lines = [
    `| ${['', ...results.map((r) => CONTESTANT_LABELS[r.name])].join(' | ')} |`,
    `|---|${results.map(() => '--:').join('|')}|`,
  ];
  for (const [label, cell] of rows) lines.push(`| ${[label, ...results.map(cell)].join(' | ')} |`);
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
