/**
 * Counter increments kept as plain numbers on the hot path and added to the prom-client counter
 * when it is collected (every scrape, `registry.metrics()`, `getMetricsAsJSON()`, `counter.get()`),
 * so what a scrape shows is exact while an event costs one property increment instead of
 * prom-client's per-call label validation and hashing.
 */
import type { Counter } from 'prom-client';
import type { Collected, Collector } from './metric-store.js';

/** One series of a counter: add to `n`, it is flushed at the next collection. */
export interface PendingCount {
  /** Increments not yet added to the prom-client counter. */
  n: number;
}

interface Series extends PendingCount {
  readonly labels: Readonly<Record<string, string>>;
}

/** The series one instrumentation owns in one counter. */
export class PendingCounter {
  private readonly series: Series[] = [];
  private readonly flush: Collector = () => {
    for (const s of this.series) {
      if (s.n === 0) continue;
      const n = s.n;
      s.n = 0;
      this.target.metric.inc(s.labels, n);
    }
  };

  constructor(private readonly target: Collected<Counter<string>>) {
    target.collectors.add(this.flush);
  }

  /** Creates the series at 0 (it is exported from now on) and returns its pending count. */
  add(labels: Readonly<Record<string, string>>): PendingCount {
    this.target.metric.inc(labels, 0);
    const series: Series = { labels, n: 0 };
    this.series.push(series);
    return series;
  }

  /** Stops flushing and removes every series created by {@link add}; pending counts are dropped. */
  dispose(): void {
    this.target.collectors.delete(this.flush);
    for (const s of this.series) this.target.metric.remove(s.labels);
    this.series.length = 0;
  }
}
