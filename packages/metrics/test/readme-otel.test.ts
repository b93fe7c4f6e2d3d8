/**
 * The README's OpenTelemetry example (`@breakwater/metrics/otel` with the SDK's console
 * exporter), exactly as written, run as a child `node` process (tsx) inside the package with
 * Redis up and with nothing listening on the Redis port. Appended: one flush (the exporter
 * prints), then `stop()`, `close()` and the reader's shutdown; the process must exit 0 by itself.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNodeScript } from '../../../test-support/node-script.js';
import { freePort, startRedis, stopAllRedis } from '../../../test-support/redis-server.js';
import type { RedisServer } from '../../../test-support/redis-server.js';
import { readmeSnippet } from '../../../test-support/readme-snippet.js';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
/** tsx start-up plus connect() settling by connectTimeout (2 s) with Redis down: a hang guard. */
const EXIT_MS = 10_000;

const example = (): string => readmeSnippet(path.join(pkgDir, 'README.md'), '\n## OpenTelemetry');

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => stopAllRedis());

/** The exported value of `db.client.connection.count` (1 while ready). */
function connectionCount(stdout: string): string | undefined {
  const at = stdout.indexOf("name: 'db.client.connection.count'");
  return at < 0 ? undefined : /value: (\d+)/.exec(stdout.slice(at))?.[1];
}

describe.concurrent('metrics README OpenTelemetry example as a child node process', () => {
  const cases: Array<[string, () => Promise<string>, string]> = [
    ['Redis up: exports the connection as used', async () => redis.url, '1'],
    [
      'nothing listening: exports it as not used',
      async () => `redis://127.0.0.1:${await freePort()}`,
      '0',
    ],
  ];
  for (const [label, url, count] of cases) {
    it(`${label}, exits 0 by itself`, async () => {
      const r = await runNodeScript(
        `${example()}
await reader.forceFlush();
stop();
await redis.close();
await reader.shutdown();
`,
        {
          dir: path.join(pkgDir, '.tmp'),
          env: { REDIS_URL: await url() },
          timeoutMs: EXIT_MS + 10_000,
        },
      );
      expect(r.stderr).toBe('');
      expect(connectionCount(r.stdout)).toBe(count);
      expect(r.stdout).toContain("name: 'breakwater.redis.connection.state'");
      expect(r.ms).toBeLessThan(EXIT_MS);
      expect(r.code).toBe(0);
    });
  }
});
