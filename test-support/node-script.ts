/**
 * Runs a TypeScript snippet the way a user runs a script: a real child `node` process (not the
 * test runner, whose worker keeps any event loop alive), with the workspace packages resolved
 * to their sources (`@breakwater/<pkg>` → `packages/<pkg>/src/index.ts`, through tsx and
 * `tsconfig.tests.json`), so no build is needed. The script is written to a temp file inside
 * the repository (`.tmp/`, git-ignored) so that `redis`, `prom-client`, … resolve as they do
 * for the examples.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { alive, installExitHook } from './process-registry.js';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const TMP = path.join(REPO_ROOT, '.tmp', 'node-scripts');
let seq = 0;

export interface NodeScriptOptions {
  /** Extra environment (merged over the parent's, minus NODE_OPTIONS / VITEST*). */
  env?: Record<string, string | undefined>;
  /** SIGKILL the child after this many ms; `timedOut` is then true. @default 20000 */
  timeoutMs?: number;
  /** Send SIGTERM once stdout contains this text, and measure how long the exit takes. */
  sigtermWhen?: string | RegExp;
  /**
   * Runs once stdout contains `sigtermWhen`, before the SIGTERM (ask the running server over
   * HTTP, say). The SIGTERM is sent when it settles; if it rejects, the result rejects with its
   * error once the child has exited.
   */
  beforeSigterm?: (stdout: string) => Promise<void>;
  /** Run through tsx (`node --import tsx`); `false` runs a compiled `.js` with plain node. @default true */
  tsx?: boolean;
  /** Directory the script file is written to (module resolution starts there). @default `.tmp/` */
  dir?: string;
  /** The `node` binary. @default process.execPath */
  node?: string;
}

export interface NodeScriptResult {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit, in ms (includes tsx start-up, ~0.3–0.6 s here). */
  ms: number;
  /** Time from the SIGTERM (see `sigtermWhen`) to exit, in ms. */
  msAfterSigterm: number | undefined;
  /** Time from spawn until stdout first contained `sigtermWhen`, in ms. */
  msToMarker: number | undefined;
  timedOut: boolean;
}

/** Writes `source` to a temp `.ts` file and runs it with `node --import tsx`. */
export function runNodeScript(
  source: string,
  options: NodeScriptOptions = {},
): Promise<NodeScriptResult> {
  const dir = options.dir ?? TMP;
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `script-${process.pid}-${++seq}.ts`);
  writeFileSync(file, source);
  return runNodeFile(file, options).finally(() => rmSync(file, { force: true }));
}

/** Runs an existing `.ts` (or `.js`) file with `node --import tsx` (or plain `node`, see `tsx`). */
export function runNodeFile(
  file: string,
  options: NodeScriptOptions = {},
): Promise<NodeScriptResult> {
  installExitHook();
  const env: Record<string, string | undefined> = { ...process.env };
  for (const k of Object.keys(env))
    if (k.startsWith('VITEST') || k === 'NODE_OPTIONS') delete env[k];
  Object.assign(env, {
    TSX_TSCONFIG_PATH: path.join(REPO_ROOT, 'tsconfig.tests.json'),
    NODE_ENV: undefined,
    FORCE_COLOR: '0',
    ...options.env,
  });
  const started = performance.now();
  const args = options.tsx === false ? [file] : ['--import', 'tsx', file];
  const child = spawn(options.node ?? process.execPath, args, {
    cwd: path.dirname(file),
    env: env as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid !== undefined) alive.set(child.pid, child);
  let stdout = '';
  let stderr = '';
  let termAt: number | undefined;
  let markerAt: number | undefined;
  let timedOut = false;
  let probe: { error: unknown } | undefined;
  const marker = options.sigtermWhen;
  const terminate = (): void => {
    termAt = performance.now();
    child.kill('SIGTERM');
  };
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 20_000);
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (marker === undefined || markerAt !== undefined) return;
    if (typeof marker === 'string' ? stdout.includes(marker) : marker.test(stdout)) {
      markerAt = performance.now();
      const before = options.beforeSigterm;
      if (before === undefined) return terminate();
      before(stdout).then(terminate, (error: unknown) => {
        probe = { error };
        terminate();
      });
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (child.pid !== undefined) alive.delete(child.pid);
      const end = performance.now();
      if (probe !== undefined) return reject(probe.error);
      resolve({
        code,
        signal,
        stdout,
        stderr,
        ms: end - started,
        msAfterSigterm: termAt === undefined ? undefined : end - termAt,
        msToMarker: markerAt === undefined ? undefined : markerAt - started,
        timedOut,
      });
    });
  });
}
