/**
 * `pnpm --filter @breakwater/examples bench:outage`: the outage drill against the ways to talk
 * to Redis in contestants.ts (node-redis 6.4 and ioredis 6.1, each with defaults and tuned,
 * node-redis + opossum 9, breakwater over each client), one after the other, each in its own
 * process with its own redis-server. Prints the per-phase table and a one-column-per-client
 * summary, and writes both with a chart to examples/out/ (outage-bench.md, .svg, .json).
 *
 * Options: --short (CI-sized plan), --plan=<kind:ms/faultMs,...>, --rate=<req/s>,
 * --cap=<ms per request>, --only=<client,...>.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FULL_PLAN, SHORT_PLAN, parsePlan, planDuration } from '../demo/drill-plan.js';
import { CONTESTANTS, CONTESTANT_LABELS } from './contestants.js';
import type { ContestantName } from './contestants.js';
import { renderOutageSummary, renderOutageSvg, renderOutageTable } from './outage-table.js';
import type { ContestantConfig, ContestantResult } from './run-contestant.js';

const here = path.dirname(fileURLToPath(import.meta.url));

function arg(name: string): string | undefined {
  const hit = process.argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (hit === undefined) return undefined;
  return hit.includes('=') ? hit.slice(hit.indexOf('=') + 1) : 'true';
}

function num(name: string, fallback: number): number {
  const raw = arg(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new RangeError(`--${name} must be a positive number, got "${raw}"`);
  return n;
}

function runChild(config: ContestantConfig): Promise<ContestantResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, '--expose-gc', path.join(here, 'run-contestant.ts')],
      {
        env: { ...process.env, BENCH_CONTESTANT_CONFIG: JSON.stringify(config) },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const onSignal = (): void => void child.kill('SIGTERM');
    process.once('SIGINT', onSignal);
    child.once('exit', (code) => {
      process.off('SIGINT', onSignal);
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      if (code === 0 && line) resolve(JSON.parse(line.slice(7)) as ContestantResult);
      else reject(new Error(`${config.name} run failed (exit ${code})`));
    });
  });
}

async function main(): Promise<void> {
  const planArg = arg('plan');
  const plan = planArg ? parsePlan(planArg) : arg('short') ? [...SHORT_PLAN] : [...FULL_PLAN];
  const capMs = num('cap', 3000);
  const rate = num('rate', 200);
  const only = arg('only');
  const names: ContestantName[] = only
    ? only.split(',').map((n) => {
        if (!(CONTESTANTS as readonly string[]).includes(n)) {
          throw new RangeError(
            `--only must list clients among ${CONTESTANTS.join(', ')}, got "${n}"`,
          );
        }
        return n as ContestantName;
      })
    : [...CONTESTANTS];
  const settings = { timeoutMs: num('deadline', 500), resetTimeoutMs: num('reset', 1000) };
  console.log(
    `outage bench: ${names.length} clients × ${(planDuration(plan) / 1000).toFixed(0)} s, ${rate} req/s, cap ${capMs} ms per request, breakers: deadline ${settings.timeoutMs} ms, reset ${settings.resetTimeoutMs} ms`,
  );
  const results: ContestantResult[] = [];
  for (const name of names) {
    process.stdout.write(`  ${CONTESTANT_LABELS[name]}… `);
    const started = Date.now();
    const result = await runChild({
      name,
      plan,
      rate,
      concurrency: 2000,
      capMs,
      bucketMs: 250,
      settings,
    });
    results.push(result);
    const all = result.phases.reduce((n, p) => n + p.summary.requests, 0);
    console.log(`${all} requests in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const table = `${renderOutageSummary(results, capMs)}\n\n${renderOutageTable(results, capMs)}`;
  const outDir = path.join(here, '..', 'out');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'outage-bench.md'), `${table}\n`);
  writeFileSync(path.join(outDir, 'outage-bench.svg'), renderOutageSvg(results, capMs));
  writeFileSync(
    path.join(outDir, 'outage-bench.json'),
    JSON.stringify({ rate, capMs, settings, plan, results }, null, 1),
  );
  console.log(`\n${table}\n\nwritten: examples/out/outage-bench.{md,svg,json}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
