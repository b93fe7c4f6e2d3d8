/**
 * `pnpm demo`: the outage drill. Exits 0 when no request got a 5xx (or no answer) and the p99
 * stayed within the deadline budget, 1 otherwise, 130 on Ctrl-C (after stopping everything).
 *
 * Options (flags or environment):
 *   --short | DRILL_PROFILE=short     the ~17 s CI form
 *   --plan=<kind:ms/faultMs,...>      | DRILL_PLAN   e.g. baseline:3000,kill:8000/4000
 *   --rate=<req/s>                    | DRILL_RATE   default 200
 *   --concurrency=<n>                 | DRILL_CONCURRENCY default 128
 *   --budget=<ms>                     | DRILL_BUDGET_MS p99 budget, default 1000
 *   --no-redis                        run with Redis absent even if redis-server is on PATH
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FULL_PLAN, SHORT_PLAN, parsePlan } from './drill-plan.js';
import { DRILL_ADAPTER_OPTIONS, runDrill } from './run-drill.js';

function option(flag: string, env: string): string | undefined {
  const hit = process.argv.find((a) => a === `--${flag}` || a.startsWith(`--${flag}=`));
  if (hit !== undefined) return hit.includes('=') ? hit.slice(hit.indexOf('=') + 1) : 'true';
  return process.env[env];
}

function positive(flag: string, env: string, fallback: number): number {
  const raw = option(flag, env);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) {
    throw new RangeError(`--${flag} (${env}) must be a positive number, got "${raw}"`);
  }
  return n;
}

async function main(): Promise<number> {
  const planText = option('plan', 'DRILL_PLAN');
  const short = option('short', 'DRILL_PROFILE');
  const plan = planText
    ? parsePlan(planText)
    : short === 'true' || short === 'short'
      ? SHORT_PLAN
      : FULL_PLAN;
  const controller = new AbortController();
  const onSigint = (): void => {
    console.log('\ninterrupted: stopping the load, the service and redis-server…');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigint);
  const report = await runDrill({
    plan,
    rate: positive('rate', 'DRILL_RATE', 200),
    concurrency: positive('concurrency', 'DRILL_CONCURRENCY', 128),
    budgetMs: positive('budget', 'DRILL_BUDGET_MS', 1000),
    capMs: 5000,
    adapter: DRILL_ADAPTER_OPTIONS,
    redis: option('no-redis', 'DRILL_NO_REDIS') ? 'absent' : 'auto',
    outDir: path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'out'),
    print: (line) => console.log(line),
    signal: controller.signal,
  });
  if (controller.signal.aborted) return 130;
  return report.verdict.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      `drill failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exit(1);
  },
);
