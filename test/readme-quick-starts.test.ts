/**
 * Every README quick start, extracted from the README and run as written as a plain child
 * `node` process (tsx, workspace packages resolved to their sources), with its own Redis up and
 * with nothing listening on the Redis port. A script exits 0 by itself; a server exits within
 * 1 s of SIGTERM. Also `examples/service/main.ts`, which must never fall back to port 6379.
 *
 * Covered elsewhere and not repeated here: recipes (packages/recipes/test/readme-quick-start),
 * fastify (packages/fastify/test/readme-quick-start), nestjs (packages/nestjs/test/
 * readme-quick-start, compiled with decorator metadata), the breaker's Bulkhead section, the
 * recipes' integration examples (packages/recipes/test/readme-integrations), the metrics
 * OpenTelemetry example (packages/metrics/test/readme-otel) and the other complete snippets
 * (test/readme-snippets).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runNodeFile, runNodeScript } from '../test-support/node-script.js';
import {
  REDIS_SERVER_BIN,
  freePort,
  isPidAlive,
  startRedis,
  stopAllRedis,
  type RedisServer,
} from '../test-support/redis-server.js';
import { readmeSnippet } from '../test-support/readme-snippet.js';

/** Scripts live in examples/ so that express, prom-client and redis resolve as for a user. */
const DIR = path.join(REPO_ROOT, 'examples', '.tmp');
/** The adapter's default connectTimeout (packages/redis-adapter README: 2000 ms). */
const CONNECT_TIMEOUT = 2_000;
/** Margin for tsx start-up (0.3–0.7 s idle) and a loaded 2-core machine. */
const SLACK = 3_000;

/** The first ```ts block under `## Quick start` of a README, and its line count. */
const quickStart = (readme: string): string =>
  readmeSnippet(path.join(REPO_ROOT, readme), '\n## Quick start');

/** The snippet with its one fixed listen port swapped for a free one (the only edit). */
function onPort(code: string, fixed: number, port: number): string {
  const re = new RegExp(`\\.listen\\(${fixed}\\)`, 'g');
  expect(code.match(re), `.listen(${fixed}) once`).toHaveLength(1);
  return code.replace(re, `.listen(${port})`);
}

let redis: RedisServer;
let downUrl: string;
beforeAll(async () => {
  redis = await startRedis();
  downUrl = `redis://127.0.0.1:${await freePort()}`;
});
afterAll(() => stopAllRedis());

const targets = (): Array<[string, () => string, 'up' | 'down']> => [
  ['Redis up', () => redis.url, 'up'],
  ['nothing listening', () => downUrl, 'down'],
];

describe('packages/breaker README quick start', () => {
  it('is under 20 lines, prints "1.25 1" and exits 0 by itself', async () => {
    const code = quickStart('packages/breaker/README.md');
    expect(code.trimEnd().split('\n').length).toBeLessThan(20);
    const r = await runNodeScript(code, { dir: DIR, timeoutMs: 20_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('1.25 1');
    expect(r.code).toBe(0);
  });
});

/**
 * Quick starts that are servers: run to their end, asked over HTTP, then SIGTERMed. `up` and
 * `down`: what the README says the answer is with Redis up and with nothing listening.
 */
const servers: Array<{
  readme: string;
  fixedPort: number;
  path: string;
  up: RegExp;
  down: RegExp;
  lines?: number;
  exit?: 'SIGTERM';
  /** Time the snippet may spend after connect() before it is ready, in ms. @default 0 */
  afterConnectMs?: number;
}> = [
  {
    // The root README's tour of all packages: longer than a package quick start.
    readme: 'README.md',
    fixedPort: 9464,
    path: '/',
    up: /redis_connection_up\{client="redis"\} 1 .*circuit_breaker_state\{name="payments"\} 0/,
    // The startup call's fallback is counted: the snippet instruments before its first call.
    down: /^(?=.*redis_connection_up\{client="redis"\} 0 )(?=.*redis_fallbacks_total\{client="redis",operation="session-get",reason="[a-z-]+"\} 1 )/,
    lines: 30,
    exit: 'SIGTERM', // no handler of its own: node's default, immediate
    // The payments call to an unresolvable host settles by its breaker's 2 s timeout at worst.
    afterConnectMs: 2_000,
  },
  {
    readme: 'packages/metrics/README.md',
    fixedPort: 9464,
    path: '/',
    up: /redis_connection_up\{client="sessions"\} 1 /,
    down: /redis_connection_up\{client="sessions"\} 0 /,
  },
  {
    readme: 'packages/redis-adapter/README.md',
    fixedPort: 3000,
    path: '/health/ready',
    up: /^200 \{"status":"pass"/,
    down: /^200 \{"status":"warn"/, // 'warn' + 200 while Redis is degraded
  },
];

for (const s of servers) {
  describe(`${s.readme} quick start`, () => {
    it(`is under ${s.lines ?? 20} lines`, () => {
      expect(quickStart(s.readme).trimEnd().split('\n').length).toBeLessThan(s.lines ?? 20);
    });
    for (const [label, url, want] of targets()) {
      it(`${label}: starts within connectTimeout, serves, exits within 1 s of SIGTERM`, async () => {
        const port = await freePort();
        const code = onPort(quickStart(s.readme), s.fixedPort, port);
        // Appended: the snippet ran to its end (connect() settled, server listening); ask it.
        const probe = `http://127.0.0.1:${port}${s.path}`;
        const marked = `${code}
const probeRes = await fetch(${JSON.stringify(probe)});
const probeBody = (await probeRes.text()).replace(/\\s+/g, ' ');
console.log('quick-start: ready', probeRes.status, probeBody);
`;
        const r = await runNodeScript(marked, {
          dir: DIR,
          env: { REDIS_URL: url() },
          timeoutMs: CONNECT_TIMEOUT + (s.afterConnectMs ?? 0) + SLACK + 5_000,
          sigtermWhen: /quick-start: ready.*\n/,
        });
        if (process.env.BW_TIMINGS)
          console.log(s.readme, label, r.msToMarker, r.msAfterSigterm, r.code, r.signal);
        expect(r.stderr).toBe('');
        expect(r.msToMarker).toBeLessThan(CONNECT_TIMEOUT + (s.afterConnectMs ?? 0) + SLACK);
        const answer = /quick-start: ready (.*)/.exec(r.stdout)?.[1] ?? r.stdout;
        expect(answer).toMatch(s[want]);
        expect(r.msAfterSigterm).toBeLessThan(1_000);
        if (s.exit === 'SIGTERM') expect(r.signal).toBe('SIGTERM');
        else expect(r.code).toBe(0);
        expect(r.timedOut).toBe(false);
      });
    }
  });
}

describe('examples/service/main.ts as a child node process', () => {
  const main = path.join(REPO_ROOT, 'examples', 'service', 'main.ts');
  const ready = /example service on http:\/\/127\.0\.0\.1:\d+/;
  const cases: Array<[string, () => Record<string, string | undefined>, RegExp]> = [
    ['REDIS_URL up', () => ({ REDIS_URL: redis.url }), /^Redis: REDIS_URL$/m],
    ['REDIS_URL with nothing listening', () => ({ REDIS_URL: downUrl }), /^Redis: REDIS_URL$/m],
    // No REDIS_URL: its own redis-server on a free port (never 6379), stopped on SIGTERM.
    [
      'no REDIS_URL',
      () => ({ REDIS_URL: undefined, REDIS_SERVER_BIN: REDIS_SERVER_BIN }),
      /^redis-server \S+ started on 127\.0\.0\.1:(?!6379\b)\d+ \(pid \d+\)$/m,
    ],
  ];
  for (const [label, env, says] of cases) {
    it(`${label}: starts, names its Redis, exits 0 within 1 s of SIGTERM`, async () => {
      const r = await runNodeFile(main, {
        env: { ...env(), PORT: String(await freePort()) },
        timeoutMs: CONNECT_TIMEOUT + 2 * SLACK + 5_000,
        sigtermWhen: ready,
      });
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(says);
      // Loads express, the recipes and prom-client first: ~1 s more than a quick start.
      expect(r.msToMarker).toBeLessThan(CONNECT_TIMEOUT + 2 * SLACK);
      expect(r.msAfterSigterm).toBeLessThan(1_000);
      expect(r.code).toBe(0);
      const pid = /\(pid (\d+)\)/.exec(r.stdout)?.[1];
      if (pid !== undefined) expect(isPidAlive(Number(pid))).toBe(false);
      if (process.env.BW_TIMINGS) console.log('service', label, r.msToMarker, r.msAfterSigterm);
    });
  }
});
