/**
 * One contestant of the outage bench, run in its own process (so heap figures and requests
 * left hanging by one client never leak into the next): starts its own redis-server, plays
 * the drill plan under steady load, prints one `RESULT <json>` line. Run with --expose-gc.
 */
import { performance } from 'node:perf_hooks';
import { LoadGenerator } from '../demo/load-generator.js';
import type { Sample } from '../demo/load-generator.js';
import { playPlan } from '../demo/play-plan.js';
import type { DrillPhase, PhaseKind } from '../demo/drill-plan.js';
import { findRedisServer, spawnRedis } from '../demo/redis-process.js';
import type { RedisProcess } from '../demo/redis-process.js';
import { issuedBetween, summarize, timeline } from '../demo/stats.js';
import type { Bucket, Summary } from '../demo/stats.js';
import { createContestant } from './contestants.js';
import type { BreakerSettings, ContestantName } from './contestants.js';

export interface ContestantConfig {
  name: ContestantName;
  plan: DrillPhase[];
  rate: number;
  concurrency: number;
  capMs: number;
  bucketMs: number;
  settings: BreakerSettings;
}

export interface PhaseResult {
  kind: PhaseKind;
  start: number;
  end: number;
  windows: { start: number; end: number }[];
  summary: Summary;
  /** From the fault to the first answer that was not a success (error or fallback), ms. */
  toFirstFallbackMs: number | null;
  /** From the server's recovery to the first success, ms. */
  toFirstSuccessMs: number | null;
  /** Heap retained at the end of the fault (after GC) minus before the outage, MB. */
  heapGrowthMB: number | null;
  /** Highest heapUsed seen during the fault (no GC) minus before the outage, MB. */
  heapPeakMB: number | null;
}

export interface ContestantResult {
  name: ContestantName;
  durationMs: number;
  skipped: number;
  phases: PhaseResult[];
  buckets: Bucket[];
}

const MB = 1024 * 1024;

function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

function firstAfter(
  samples: readonly Sample[],
  at: number,
  pick: (s: Sample) => boolean,
): number | null {
  let best: number | null = null;
  for (const s of samples)
    if (s.end >= at && pick(s) && (best === null || s.end < best)) best = s.end;
  return best === null ? null : best - at;
}

export async function runContestant(config: ContestantConfig): Promise<ContestantResult> {
  const bin = findRedisServer();
  if (bin === null) throw new Error('redis-server is not on PATH: the outage bench needs one');
  const redis: RedisProcess = await spawnRedis(bin);
  const contestant = createContestant(config.name, redis.url, config.settings);
  const t0 = performance.now();
  const now = (): number => performance.now() - t0;
  const heap: { base: number; peak: Map<PhaseKind, number>; retained: Map<PhaseKind, number> } = {
    base: 0,
    peak: new Map(),
    retained: new Map(),
  };
  let sampling: PhaseKind | null = null;
  const sampler = setInterval(() => {
    if (sampling === null) return;
    const used = process.memoryUsage().heapUsed;
    heap.peak.set(sampling, Math.max(heap.peak.get(sampling) ?? 0, used));
  }, 50);
  try {
    await redis.command(['SET', 'bench:key', 'x'.repeat(100)]);
    await contestant.connect();
    const load = new LoadGenerator({
      rate: config.rate,
      concurrency: config.concurrency,
      capMs: config.capMs,
      now,
      request: () => contestant.get('bench:key'),
    });
    load.start();
    const phases = await playPlan(config.plan, redis, {
      now,
      pauseLoad: () => load.pause(),
      resumeLoad: () => load.resume(),
      onPhaseStart: (phase) => {
        sampling = null;
        if (phase.kind === 'kill' || phase.kind === 'freeze') {
          heap.base = heapAfterGc();
          sampling = phase.kind;
        }
      },
      beforeRecover: (kind) => {
        heap.retained.set(kind, heapAfterGc());
        sampling = null;
      },
    });
    sampling = null;
    await load.stop();
    const end = now();
    const results: PhaseResult[] = phases.map((p) => {
      const inPhase = issuedBetween(load.samples, p.start, p.end);
      const retained = heap.retained.get(p.kind);
      const peak = heap.peak.get(p.kind);
      const faultAt = p.faultAt;
      return {
        kind: p.kind,
        start: p.start,
        end: p.end,
        windows: p.windows,
        summary: summarize(inPhase),
        toFirstFallbackMs:
          faultAt === null
            ? null
            : firstAfter(
                inPhase,
                faultAt,
                (s) => s.outcome === 'degraded' || s.outcome === 'error',
              ),
        toFirstSuccessMs:
          p.recoveredAt === null
            ? null
            : firstAfter(inPhase, p.recoveredAt, (s) => s.outcome === 'ok'),
        heapGrowthMB: retained === undefined ? null : (retained - heap.base) / MB,
        heapPeakMB: peak === undefined ? null : (peak - heap.base) / MB,
      };
    });
    return {
      name: config.name,
      durationMs: end,
      skipped: load.skipped,
      phases: results,
      buckets: timeline(load.samples, 0, end, config.bucketMs),
    };
  } finally {
    clearInterval(sampler);
    await Promise.race([
      contestant.close().catch(() => undefined),
      new Promise((r) => setTimeout(r, 2000)),
    ]);
    await redis.stop();
  }
}

async function main(): Promise<void> {
  const raw = process.env.BENCH_CONTESTANT_CONFIG;
  if (!raw) throw new Error('BENCH_CONTESTANT_CONFIG is not set (run through outage.bench.ts)');
  const result = await runContestant(JSON.parse(raw) as ContestantConfig);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  // Clients left with hung commands may hold the loop open: this process is disposable.
  process.exit(0);
}

if (process.env.BENCH_CONTESTANT_CONFIG) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
