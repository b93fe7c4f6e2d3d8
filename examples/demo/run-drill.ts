/**
 * The outage drill: its own redis-server (or REDIS_URL, or none), the example service in
 * process, steady HTTP load, the scripted faults, a line per second, a summary, an HTML chart,
 * and a verdict. Everything it starts is stopped before it returns, also on abort or error.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createService } from '../service/create-service.js';
import type { Service } from '../service/create-service.js';
import type { RedisAdapterOptions } from '@breakwater/redis-adapter';
import { planDuration } from './drill-plan.js';
import type { DrillPhase } from './drill-plan.js';
import {
  stateSpans,
  renderDrillHtml,
  renderDrillSvg,
  renderSummaryTable,
  summarizePhases,
  verdict,
} from './drill-report.js';
import type { DrillVerdict, PhaseSummary } from './drill-report.js';
import { httpTarget } from './http-load.js';
import { LiveLine } from './live-line.js';
import { LoadGenerator } from './load-generator.js';
import { playPlan } from './play-plan.js';
import { pickRedis } from './pick-redis.js';
import type { RedisChoice } from './pick-redis.js';
import type { RedisProcess } from './redis-process.js';
import { summarize } from './stats.js';
import type { Summary } from './stats.js';

/**
 * The service's adapter settings in the drill: a 200 ms deadline per Redis call, and a breaker
 * that judges over 3 s (instead of 10 s) and probes again after 1 s, so that each fault and
 * its recovery fit in a few seconds.
 */
export const DRILL_ADAPTER_OPTIONS: Omit<RedisAdapterOptions, 'url'> = Object.freeze({
  operationTimeout: 200,
  breaker: Object.freeze({ monitoringWindow: 3000, resetTimeout: 1000 }),
});

export interface DrillOptions {
  plan: readonly DrillPhase[];
  /** Requests per second. */
  rate: number;
  /** Most requests in flight. */
  concurrency: number;
  /** The p99 the drill must stay under, in ms. */
  budgetMs: number;
  /** Client-side cap per request, in ms (past it: 'no answer'). */
  capMs: number;
  /** Adapter settings of the service (deadline, breaker…). */
  adapter: Omit<RedisAdapterOptions, 'url'>;
  /** 'auto': spawn redis-server if on PATH, else REDIS_URL, else none. */
  redis: RedisChoice;
  /** Where to write the chart; null: do not write. */
  outDir: string | null;
  print(line: string): void;
  signal?: AbortSignal;
}

export interface DrillReport {
  redis: 'spawned' | 'external' | 'absent';
  verdict: DrillVerdict;
  total: Summary;
  phases: PhaseSummary[];
  transitions: { at: number; from: string; to: string }[];
  fallbacks: number;
  reconnects: number;
  files: string[];
}

export async function runDrill(o: DrillOptions): Promise<DrillReport> {
  const t0 = performance.now();
  const now = (): number => performance.now() - t0;
  let server: RedisProcess | null = null;
  let service: Service | undefined;
  let http: Server | undefined;
  let load: LoadGenerator | undefined;
  let ticker: NodeJS.Timeout | undefined;
  try {
    const picked = await pickRedis(o.redis);
    server = picked.server;
    const mode = picked.mode;
    o.print(picked.message);

    service = await createService({ redisUrl: picked.url, adapter: o.adapter });
    const breaker = service.adapter.breaker;
    const transitions: DrillReport['transitions'] = [];
    const unsubscribe = breaker.on('stateChange', (e) =>
      transitions.push({ at: now(), from: e.from, to: e.to }),
    );
    const app = service.app;
    http = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const port = (http.address() as AddressInfo).port;
    let cookie = '';
    const target = httpTarget(port, o.concurrency, (): Record<string, string> =>
      cookie ? { cookie } : {},
    );
    const login = await target.post('/login', { user: 'drill' });
    cookie = String(login.headers['set-cookie']?.[0] ?? '').split(';')[0] ?? '';
    o.print(`service adapter options: ${JSON.stringify(o.adapter)}`);
    o.print(
      `example service on http://127.0.0.1:${port}; ${o.rate} req/s, at most ${o.concurrency} in flight, p99 budget ${o.budgetMs} ms, ${(planDuration(o.plan) / 1000).toFixed(0)} s`,
    );

    const live = new LiveLine();
    load = new LoadGenerator({
      rate: o.rate,
      concurrency: o.concurrency,
      capMs: o.capMs,
      now,
      request: (signal) => target.get(`/products/${1 + Math.floor(Math.random() * 50)}`, signal),
      onSample: (s) => live.add(s),
    });
    let phaseName = o.plan[0]?.kind ?? '';
    const generator = load;
    const svc = service;
    ticker = setInterval(() => {
      const st = svc.stats();
      o.print(live.next({ t: now() / 1000, phase: phaseName, breaker: breaker.state, ...st }));
    }, 1000);
    load.start();
    const records = await playPlan(
      o.plan,
      server,
      {
        now,
        pauseLoad: () => generator.pause(),
        resumeLoad: () => generator.resume(),
        onPhaseStart: (p) => {
          phaseName = p.kind;
          o.print(`--- ${p.kind}`);
        },
      },
      o.signal,
    );
    clearInterval(ticker);
    await load.stop();
    const durationMs = now();
    target.close();
    unsubscribe();

    const total = summarize(load.samples);
    const phases = summarizePhases(records, load.samples);
    const table = renderSummaryTable(phases, total);
    const v = verdict(total, o.budgetMs);
    if (o.signal?.aborted) {
      v.ok = false;
      v.reasons.unshift('aborted');
    }
    const stats = service.stats();
    o.print(`\n${table}\n`);
    o.print(
      `breaker transitions: ${transitions.map((t) => `${(t.at / 1000).toFixed(1)}s ${t.to}`).join(', ') || 'none'}`,
    );
    o.print(
      `fallbacks: ${stats.fallbacks}, reconnects: ${stats.reconnects}, requests skipped by the in-flight cap: ${load.skipped}`,
    );

    const files: string[] = [];
    if (o.outDir !== null) {
      const states = stateSpans(transitions, durationMs);
      const input = {
        title: `breakwater outage drill (${mode === 'spawned' ? 'own redis-server' : mode === 'external' ? 'REDIS_URL, faults skipped' : 'Redis absent'})`,
        phases: records,
        samples: load.samples,
        states,
        durationMs,
        budgetMs: o.budgetMs,
        capMs: o.capMs,
        table,
        verdict: v,
      };
      const svg = renderDrillSvg(input);
      mkdirSync(o.outDir, { recursive: true });
      files.push(path.join(o.outDir, 'outage-drill.html'), path.join(o.outDir, 'outage-drill.svg'));
      writeFileSync(files[0] ?? '', renderDrillHtml(input, svg));
      writeFileSync(files[1] ?? '', svg);
      o.print(`chart: ${files[0]}`);
    }
    o.print(
      v.ok
        ? 'PASS: no 5xx, every request answered, p99 within the budget'
        : `FAIL: ${v.reasons.join('; ')}`,
    );
    return {
      redis: mode,
      verdict: v,
      total,
      phases,
      transitions,
      fallbacks: stats.fallbacks,
      reconnects: stats.reconnects,
      files,
    };
  } finally {
    clearInterval(ticker);
    await load?.stop();
    if (http) {
      http.closeAllConnections();
      await new Promise((r) => http?.close(r));
    }
    await service?.close().catch(() => undefined);
    await server?.stop();
  }
}
