/**
 * The outage bench's harness on a short kill: the raw client keeps commands queued (requests
 * answered late or past the cap, no fallback), breakwater answers every request by its
 * deadline with fallbacks and recovers; the table and chart render from the results. And the
 * tuned contestants really are tuned: on a frozen server their calls reject at the command
 * timeout (node-redis 6.4 rejectInFlight, ioredis commandTimeout) instead of hanging.
 */
import { describe, expect, it } from 'vitest';
import { renderOutageSummary, renderOutageSvg, renderOutageTable } from '../bench/outage-table.js';
import { runContestant } from '../bench/run-contestant.js';
import type { ContestantConfig, ContestantResult } from '../bench/run-contestant.js';

const base: Omit<ContestantConfig, 'name'> = {
  plan: [
    { kind: 'baseline', durationMs: 1000, faultMs: 0 },
    { kind: 'kill', durationMs: 5500, faultMs: 2500 },
  ],
  rate: 100,
  concurrency: 1000,
  capMs: 2000,
  bucketMs: 250,
  settings: { timeoutMs: 300, resetTimeoutMs: 500 },
};

function kill(r: ContestantResult): ContestantResult['phases'][number] {
  const p = r.phases.find((x) => x.kind === 'kill');
  if (!p) throw new Error('no kill phase');
  return p;
}

describe('outage bench harness', () => {
  it('measures node-redis queuing and breakwater falling back through a SIGKILL', async () => {
    const raw = await runContestant({ ...base, name: 'node-redis' });
    const bw = await runContestant({ ...base, name: 'breakwater' });

    const rawKill = kill(raw);
    expect(rawKill.summary.requests).toBeGreaterThan(200);
    expect(rawKill.summary.degraded).toBe(0); // no fallback: it has none
    // Commands issued while the server is down wait in the offline queue (past the 2 s cap).
    expect(rawKill.summary.hung + rawKill.summary.errors).toBeGreaterThan(0);
    expect(rawKill.summary.max).toBeGreaterThan(1000);

    const bwKill = kill(bw);
    expect(bwKill.summary.hung).toBe(0);
    expect(bwKill.summary.errors).toBe(0);
    expect(bwKill.summary.degraded).toBeGreaterThan(50);
    expect(bwKill.summary.max).toBeLessThan(1000); // the 300 ms deadline, with margin for CPU load
    expect(bwKill.toFirstFallbackMs).not.toBeNull();
    expect(bwKill.toFirstSuccessMs).not.toBeNull(); // recovered within the phase
    expect(bwKill.heapGrowthMB).not.toBeNull();

    const table = renderOutageTable([raw, bw], base.capMs);
    expect(table.split('\n')).toHaveLength(2 + 2 * 2);
    expect(table).toContain('| breakwater (node-redis) | SIGKILL + restart |');
    const svg = renderOutageSvg([raw, bw], base.capMs);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('node-redis 6.4 defaults');
  });

  it('tuned node-redis and ioredis reject written commands at their timeout on a frozen server', async () => {
    const freeze: Omit<ContestantConfig, 'name'> = {
      ...base,
      plan: [
        { kind: 'baseline', durationMs: 500, faultMs: 0 },
        { kind: 'freeze', durationMs: 2500, faultMs: 1500 },
      ],
    };
    const results = await Promise.all([
      runContestant({ ...freeze, name: 'node-redis-tuned' }),
      runContestant({ ...freeze, name: 'ioredis-tuned' }),
    ]);
    for (const r of results) {
      const p = r.phases.find((x) => x.kind === 'freeze');
      if (!p) throw new Error('no freeze phase');
      expect(p.summary.hung).toBe(0);
      expect(p.summary.degraded).toBe(0); // no fallback: the caller sees the error
      expect(p.summary.errors).toBeGreaterThan(20);
      // Each written command waits its full 300 ms timeout; margin for CPU load.
      expect(p.summary.max).toBeGreaterThanOrEqual(290);
      expect(p.summary.max).toBeLessThan(1500);
    }
    const summary = renderOutageSummary(results, freeze.capMs);
    expect(summary.split('\n')[0]).toBe('|  | node-redis 6.4 tuned | ioredis 6.1 tuned |');
    expect(summary).toContain('| SIGSTOP: hung > 2 s / errors / fallbacks | 0 / ');
  });
});
