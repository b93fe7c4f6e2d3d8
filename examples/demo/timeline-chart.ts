/**
 * A self-contained SVG of a drill timeline: one latency panel per row (p50 and p99 per
 * bucket, log scale, requests past the cap marked), an optional breaker-state band under it,
 * and the fault windows shaded across every panel. No script, no external assets.
 */
import type { Bucket } from './stats.js';

export interface StateSpan {
  start: number;
  end: number;
  state: 'closed' | 'half-open' | 'open';
}

export interface ChartRow {
  label: string;
  buckets: readonly Bucket[];
  /** Breaker state over time, drawn as a band under the panel. */
  states?: readonly StateSpan[];
}

export interface ChartWindow {
  start: number;
  end: number;
  label: string;
}

export interface ChartOptions {
  title: string;
  /** Time axis: [from, to] in the drill's milliseconds. */
  from: number;
  to: number;
  rows: readonly ChartRow[];
  windows: readonly ChartWindow[];
  /** Top of the latency axis in ms (requests at or past it are drawn at the top). */
  yMaxMs: number;
  /** A dashed horizontal line, e.g. the deadline budget. */
  budgetMs?: number;
  width?: number;
  panelHeight?: number;
}

const STATE_COLOR = { closed: '#3a9d5d', 'half-open': '#e0a800', open: '#d64545' } as const;
const Y_MIN_MS = 0.1;

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const r1 = (n: number): string => Math.round(n).toString();

export function renderTimelineSvg(o: ChartOptions): string {
  const width = o.width ?? 900;
  const panelH = o.panelHeight ?? 110;
  const left = 200;
  const right = 16;
  const top = 46;
  const bandH = 10;
  const gap = 26;
  const plotW = width - left - right;
  const rowH = panelH + (o.rows.some((r) => r.states) ? bandH + 4 : 0) + gap;
  const height = top + rowH * o.rows.length - gap + 22;
  const x = (t: number): number => left + ((t - o.from) / (o.to - o.from)) * plotW;
  const logMin = Math.log10(Y_MIN_MS);
  const logMax = Math.log10(o.yMaxMs);
  const yOf = (ms: number, y0: number): number => {
    const v = Math.min(Math.max(ms, Y_MIN_MS), o.yMaxMs);
    return y0 + panelH - ((Math.log10(v) - logMin) / (logMax - logMin)) * panelH;
  };
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui,sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${left}" y="18" font-size="14" font-weight="600">${esc(o.title)}</text>`,
    `<g font-size="10"><line x1="${left}" y1="30" x2="${left + 18}" y2="30" stroke="#2b6cb0" stroke-width="1.5"/><text x="${left + 22}" y="33">p50</text>` +
      `<line x1="${left + 52}" y1="30" x2="${left + 70}" y2="30" stroke="#dd6b20" stroke-width="1.5"/><text x="${left + 74}" y="33">p99</text>` +
      `<circle cx="${left + 106}" cy="30" r="2.5" fill="#c53030"/><text x="${left + 112}" y="33">no answer within the cap</text>` +
      (o.budgetMs
        ? `<line x1="${left + 250}" y1="30" x2="${left + 268}" y2="30" stroke="#c53030" stroke-dasharray="4 3"/><text x="${left + 272}" y="33">deadline budget</text>`
        : '') +
      (o.rows.some((r) => r.states)
        ? `<rect x="${left + 370}" y="25" width="10" height="10" fill="${STATE_COLOR.closed}"/><text x="${left + 384}" y="33">closed</text>` +
          `<rect x="${left + 424}" y="25" width="10" height="10" fill="${STATE_COLOR['half-open']}"/><text x="${left + 438}" y="33">half-open</text>` +
          `<rect x="${left + 492}" y="25" width="10" height="10" fill="${STATE_COLOR.open}"/><text x="${left + 506}" y="33">open</text>`
        : '') +
      `</g>`,
  );
  o.rows.forEach((row, i) => {
    const y0 = top + i * rowH;
    out.push(`<g>`);
    for (const w of o.windows) {
      out.push(
        `<rect x="${r1(x(w.start))}" y="${y0}" width="${r1(Math.max(1, x(w.end) - x(w.start)))}" height="${panelH}" fill="#718096" fill-opacity="0.16"/>`,
      );
      if (i === 0) {
        out.push(
          `<text x="${r1(x(w.start) + 2)}" y="${y0 - 3}" font-size="9" fill="#4a5568">${esc(w.label)}</text>`,
        );
      }
    }
    out.push(
      `<rect x="${left}" y="${y0}" width="${plotW}" height="${panelH}" fill="none" stroke="#cbd5e0"/>`,
    );
    for (let ms = Y_MIN_MS; ms <= o.yMaxMs * 1.001; ms *= 10) {
      const y = r1(yOf(ms, y0));
      out.push(
        `<line x1="${left}" y1="${y}" x2="${left + plotW}" y2="${y}" stroke="#edf2f7"/>`,
        `<text x="${left - 4}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="9" fill="#718096">${ms >= 1000 ? `${Math.round(ms / 1000)}s` : `${Number(ms.toPrecision(1))}ms`}</text>`,
      );
    }
    if (o.budgetMs) {
      const y = r1(yOf(o.budgetMs, y0));
      out.push(
        `<line x1="${left}" y1="${y}" x2="${left + plotW}" y2="${y}" stroke="#c53030" stroke-dasharray="4 3"/>`,
      );
    }
    out.push(`<text x="6" y="${y0 + panelH / 2 + 4}" font-weight="600">${esc(row.label)}</text>`);
    const filled = row.buckets.filter((b) => b.summary.requests > 0);
    for (const [key, color] of [
      ['p50', '#2b6cb0'],
      ['p99', '#dd6b20'],
    ] as const) {
      // One polyline per run of buckets with requests: idle gaps stay gaps.
      let run: string[] = [];
      const flush = (): void => {
        if (run.length > 1)
          out.push(
            `<polyline points="${run.join(' ')}" fill="none" stroke="${color}" stroke-width="1.5"/>`,
          );
        else if (run.length === 1)
          out.push(
            `<circle cx="${run[0]?.split(',')[0]}" cy="${run[0]?.split(',')[1]}" r="1.2" fill="${color}"/>`,
          );
        run = [];
      };
      for (const b of row.buckets) {
        if (b.summary.requests === 0) flush();
        else run.push(`${r1(x(b.start))},${r1(yOf(b.summary[key], y0))}`);
      }
      flush();
    }
    for (const b of filled) {
      if (b.summary.hung > 0 || b.summary.errors > 0) {
        out.push(`<circle cx="${r1(x(b.start))}" cy="${y0 + 3}" r="2.5" fill="#c53030"/>`);
      }
    }
    if (row.states) {
      const by = y0 + panelH + 4;
      for (const s of row.states) {
        out.push(
          `<rect x="${r1(x(s.start))}" y="${by}" width="${r1(Math.max(0.5, x(s.end) - x(s.start)))}" height="${bandH}" fill="${STATE_COLOR[s.state]}"/>`,
        );
      }
      out.push(
        `<text x="${left - 4}" y="${by + bandH - 1}" text-anchor="end" font-size="9" fill="#718096">breaker</text>`,
      );
    }
    out.push(`</g>`);
  });
  const axisY = top + rowH * o.rows.length - gap + (o.rows.some((r) => r.states) ? 0 : 0) + 12;
  const seconds = (o.to - o.from) / 1000;
  const step = seconds > 30 ? 5 : seconds > 12 ? 2 : 1;
  for (let s = 0; s <= seconds; s += step) {
    out.push(
      `<text x="${r1(x(o.from + s * 1000))}" y="${axisY}" text-anchor="middle" font-size="9" fill="#718096">${s}s</text>`,
    );
  }
  out.push(`</svg>`);
  return out.join('\n');
}
