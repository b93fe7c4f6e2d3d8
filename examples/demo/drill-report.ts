/** The drill's summary table, its verdict, and the self-contained HTML chart. */
import { PHASE_LABELS } from './drill-plan.js';
import type { Sample } from './load-generator.js';
import type { PhaseRecord } from './play-plan.js';
import { fmtMs, issuedBetween, summarize, timeline } from './stats.js';
import type { Summary } from './stats.js';
import { renderTimelineSvg } from './timeline-chart.js';
import type { StateSpan } from './timeline-chart.js';

export interface PhaseSummary {
  kind: PhaseRecord['kind'];
  skipped?: string;
  summary: Summary;
}

export interface DrillVerdict {
  ok: boolean;
  reasons: string[];
}

export function summarizePhases(
  phases: readonly PhaseRecord[],
  samples: readonly Sample[],
): PhaseSummary[] {
  return phases.map((p) => {
    const out: PhaseSummary = {
      kind: p.kind,
      summary: summarize(issuedBetween(samples, p.start, p.end)),
    };
    if (p.skipped !== undefined) out.skipped = p.skipped;
    return out;
  });
}

/** Fails on any 5xx or client error, any request without an answer, or p99 over the budget. */
export function verdict(total: Summary, budgetMs: number): DrillVerdict {
  const reasons: string[] = [];
  if (total.errors > 0) reasons.push(`${total.errors} request(s) got a 5xx or failed`);
  if (total.hung > 0) reasons.push(`${total.hung} request(s) got no answer within the cap`);
  if (total.p99 > budgetMs)
    reasons.push(`p99 ${fmtMs(total.p99)} ms exceeds the ${budgetMs} ms budget`);
  if (total.requests === 0) reasons.push('no request completed');
  return { ok: reasons.length === 0, reasons };
}

export function renderSummaryTable(rows: readonly PhaseSummary[], total: Summary): string {
  const head = 'phase          requests    ok  degraded  429    5xx  p50 ms  p99 ms  max ms';
  const line = (name: string, s: Summary, note = ''): string =>
    [
      name.padEnd(14),
      String(s.requests).padStart(8),
      String(s.ok).padStart(6),
      String(s.degraded).padStart(9),
      String(s.rejected).padStart(5),
      String(s.errors + s.hung).padStart(6),
      fmtMs(s.p50).padStart(7),
      fmtMs(s.p99).padStart(7),
      fmtMs(s.max).padStart(7),
      note,
    ].join(' ');
  return [
    head,
    ...rows.map((r) => line(r.kind, r.summary, r.skipped ? ` (fault skipped: ${r.skipped})` : '')),
    line('TOTAL', total),
  ].join('\n');
}

export interface HtmlReportInput {
  title: string;
  phases: readonly PhaseRecord[];
  samples: readonly Sample[];
  states: readonly StateSpan[];
  durationMs: number;
  budgetMs: number;
  capMs: number;
  table: string;
  verdict: DrillVerdict;
}

export function renderDrillSvg(i: HtmlReportInput): string {
  const windows = i.phases.flatMap((p) =>
    p.windows.map((w, k) => ({ start: w.start, end: w.end, label: k === 0 ? p.kind : '' })),
  );
  return renderTimelineSvg({
    title: i.title,
    from: 0,
    to: i.durationMs,
    rows: [
      { label: 'service', buckets: timeline(i.samples, 0, i.durationMs, 250), states: i.states },
    ],
    windows,
    yMaxMs: Math.max(i.capMs, i.budgetMs),
    budgetMs: i.budgetMs,
    panelHeight: 220,
  });
}

export function renderDrillHtml(i: HtmlReportInput, svg: string): string {
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const phases = i.phases
    .map(
      (p) =>
        `<li><b>${p.kind}</b>: ${esc(PHASE_LABELS[p.kind])}${p.skipped ? ` (skipped: ${esc(p.skipped)})` : ''}</li>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(i.title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#1a202c}pre{background:#f7fafc;padding:12px}.ok{color:#276749}.bad{color:#c53030}</style>
</head><body>
<h1>${esc(i.title)}</h1>
<p class="${i.verdict.ok ? 'ok' : 'bad'}">${i.verdict.ok ? 'PASS: no 5xx, every request answered, p99 within the budget' : `FAIL: ${esc(i.verdict.reasons.join('; '))}`}</p>
${svg}
<h2>Phases</h2><ul>${phases}</ul>
<h2>Summary</h2><pre>${esc(i.table)}</pre>
</body></html>
`;
}

/** Breaker state over [0, end] from its transitions (it starts closed). */
export function stateSpans(
  transitions: readonly { at: number; to: string }[],
  end: number,
): StateSpan[] {
  const spans: StateSpan[] = [];
  let state: StateSpan['state'] = 'closed';
  let from = 0;
  for (const t of transitions) {
    spans.push({ start: from, end: t.at, state });
    state = t.to as StateSpan['state'];
    from = t.at;
  }
  spans.push({ start: from, end, state });
  return spans.filter((s) => s.end > s.start);
}
