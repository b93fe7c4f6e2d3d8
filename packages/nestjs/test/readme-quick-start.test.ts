/**
 * The README quick start (a module, no bootstrap), exactly as written, run as a child `node`
 * process: the test appends a small bootstrap (a route under the snippet's global throttler
 * guard, `NestFactory.create`, `enableShutdownHooks()` as the README documents, `listen(0)`),
 * compiles it with decorator metadata (`ts.transpileModule`: the emit of a user's `tsc`) and runs
 * it with plain `node` against the built packages (under tsx's ESM hooks the snippet's
 * `@nestjs/core` was a second instance next to the one @nestjs/throttler requires). With Redis
 * up the route is counted in Redis; with nothing listening on the Redis port it answers 200 by
 * the snippet's 200 ms deadline; either way SIGTERM closes the adapter within 1 s.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runNodeFile } from '../../../test-support/node-script.js';
import { freePort, startRedis, stopAllRedis } from '../../../test-support/redis-server.js';
import { readmeSnippet } from '../../../test-support/readme-snippet.js';
import type { RedisServer } from '../../../test-support/redis-server.js';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
/** Inside the package, so that `@nestjs/*` resolve from its node_modules as a user's would. */
const DIR = path.join(pkgDir, '.tmp');
/** Loading Nest, then connect() settling by connectTimeout (2 s) with Redis down: a hang guard. */
const START_MS = 15_000;

const quickStart = (): string => readmeSnippet(path.join(pkgDir, 'README.md'), '\n## Quick start');

/** Appended to the snippet: what a user's main.ts adds (the route is ours: the snippet has none). */
const BOOTSTRAP = `
import { Controller, Get, Inject, Module as Root } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

@Controller()
class HitController {
  @Get('hit') hit(): string { return 'ok'; }
}

@Root({ imports: [AppModule], controllers: [HitController] })
class Main implements OnApplicationShutdown {
  constructor(@Inject(BREAKWATER_ADAPTER) private readonly redis: BreakwaterNestAdapter) {}
  onApplicationShutdown(signal?: string): void {
    console.log('shutdown', signal, this.redis.health().connection);
  }
}

const app = await NestFactory.create(Main, { logger: ['error', 'warn'] });
app.enableShutdownHooks();
await app.listen(0, '127.0.0.1');
console.log('listening on', (await app.getUrl()).replace('[::1]', '127.0.0.1'));
`;

let file: string;
let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
  // `@breakwater/nestjs` and its deps resolve to dist/. Incremental: a no-op after `pnpm typecheck`.
  const tsc = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsc');
  await promisify(execFile)(tsc, ['-b', path.join(pkgDir, 'tsconfig.json')], { cwd: REPO_ROOT });
  const out = ts.transpileModule(quickStart() + BOOTSTRAP, {
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
    },
    reportDiagnostics: true,
  });
  expect(out.diagnostics ?? []).toEqual([]);
  mkdirSync(DIR, { recursive: true });
  file = path.join(DIR, `readme-quick-start-${process.pid}.mjs`);
  writeFileSync(file, out.outputText);
}, 120_000);
afterAll(async () => {
  rmSync(file, { force: true });
  await stopAllRedis();
});

async function get(url: string): Promise<{ status: number; limit: string | null; ms: number }> {
  const t = performance.now();
  const res = await fetch(url);
  expect(await res.text()).toBe('ok');
  return {
    status: res.status,
    limit: res.headers.get('x-ratelimit-limit'),
    ms: performance.now() - t,
  };
}

describe('README quick start as a child node process', () => {
  it('is under 20 lines', () => {
    expect(quickStart().trimEnd().split('\n').length).toBeLessThan(20);
  });

  const cases: Array<[string, () => Promise<string>, (base: string) => Promise<void>]> = [
    [
      'Redis up: the route is throttled in Redis',
      async () => redis.url,
      async (base) => {
        const r = await get(`${base}/hit`);
        expect(r.status).toBe(200);
        expect(r.limit).toBe('100');
        const keys = await redis.cli('KEYS', 'breakwater:rl:nestjs-throttler:*');
        expect(keys).not.toBe('');
      },
    ],
    [
      'nothing listening on the Redis port: answers 200 by the 200 ms deadline',
      async () => `redis://127.0.0.1:${await freePort()}`,
      async (base) => {
        for (let i = 0; i < 3; i++) {
          const r = await get(`${base}/hit`);
          expect(r.status).toBe(200);
          expect(r.ms).toBeLessThan(1_000); // the deadline plus a loaded 2-core box
        }
      },
    ],
  ];
  for (const [label, url, probe] of cases) {
    it(`${label}; SIGTERM closes the adapter within 1 s`, async () => {
      const ready = /listening on (http:\/\/127\.0\.0\.1:\d+)/;
      const r = await runNodeFile(file, {
        tsx: false,
        env: { REDIS_URL: await url() },
        timeoutMs: START_MS + 10_000,
        sigtermWhen: ready,
        beforeSigterm: (stdout) => probe(ready.exec(stdout)?.[1] ?? ''),
      });
      if (process.env.BW_TIMINGS) console.log('nestjs', label, r.msToMarker, r.msAfterSigterm);
      expect(r.stderr).toBe('');
      expect(r.msToMarker).toBeLessThan(START_MS);
      expect(r.stdout).toMatch(/^shutdown SIGTERM closed$/m);
      expect(r.msAfterSigterm).toBeLessThan(1_000);
      // enableShutdownHooks() re-raises the signal once the app is closed.
      expect(r.signal).toBe('SIGTERM');
    });
  }
});
