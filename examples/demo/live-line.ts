/** The drill's line per second: requests, 5xx, latency, breaker state, fallbacks, reconnects. */
import type { Sample } from './load-generator.js';
import { fmtMs, summarize } from './stats.js';

export interface LiveSnapshot {
  /** Seconds since the drill started. */
  t: number;
  phase: string;
  breaker: string;
  fallbacks: number;
  reconnects: number;
}

/** Keeps the samples of the last second and formats one line from them. */
export class LiveLine {
  private recent: Sample[] = [];
  private lastFallbacks = 0;
  private lastReconnects = 0;

  add(sample: Sample): void {
    this.recent.push(sample);
  }

  /** The line for the second that just ended; resets the window. */
  next(s: LiveSnapshot): string {
    const sum = summarize(this.recent);
    this.recent = [];
    const fb = s.fallbacks - this.lastFallbacks;
    const rc = s.reconnects - this.lastReconnects;
    this.lastFallbacks = s.fallbacks;
    this.lastReconnects = s.reconnects;
    const cols = [
      `${String(Math.round(s.t)).padStart(3)}s`,
      s.phase.padEnd(12),
      `${String(sum.requests).padStart(4)} req`,
      `5xx ${String(sum.errors).padStart(3)}`,
      sum.hung ? `no-answer ${sum.hung}` : '',
      sum.requests === 0 ? 'load paused (idle gap)' : `p50 ${fmtMs(sum.p50).padStart(5)} ms`,
      sum.requests === 0 ? '' : `p99 ${fmtMs(sum.p99).padStart(5)} ms`,
      `breaker ${s.breaker.padEnd(9)}`,
      `fallbacks ${String(fb).padStart(4)}`,
      `reconnects ${rc}`,
    ];
    return cols.filter((c) => c !== '').join(' | ');
  }
}
