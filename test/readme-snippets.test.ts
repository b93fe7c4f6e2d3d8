/**
 * The complete README snippets that are not quick starts (imports included, no undefined name):
 * each, exactly as written, runs as a child `node` process (tsx) and exits 0 by itself with
 * nothing on stderr, so a renamed export or a wrong import cannot hide in the documentation.
 * The ioredis one runs with nothing listening on the Redis port (with Redis up a connected
 * client rightly keeps the process alive). Quick starts and the integration examples are run
 * by their own tests (test/readme-quick-starts and the packages' readme-*.test.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runNodeScript } from '../test-support/node-script.js';
import { freePort } from '../test-support/redis-server.js';

/** examples/ resolves ioredis as a user's project would. */
const DIR = path.join(REPO_ROOT, 'examples', '.tmp');
/** tsx start-up, and for the ioredis one connect() settling by connectTimeout (2 s): a hang guard. */
const EXIT_MS = 10_000;

/** The ```ts block of `readme` whose first line is `first`. */
function snippet(readme: string, first: string): string {
  const text = readFileSync(path.join(REPO_ROOT, readme), 'utf8');
  const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const found = blocks.filter((b) => b.startsWith(`${first}\n`));
  expect(found, `${readme}: one block starting with ${first}`).toHaveLength(1);
  return found[0]!;
}

let downUrl: string;
beforeAll(async () => {
  downUrl = `redis://127.0.0.1:${await freePort()}`;
});

const snippets: Array<[string, string]> = [
  ['packages/breaker/README.md', "import { subscribe } from 'node:diagnostics_channel';"],
  [
    'packages/breaker/README.md',
    "import { CircuitBreaker, exponentialBackoff } from '@breakwater/breaker';",
  ],
  ['packages/breaker/README.md', "import { RetryBudget, retry } from '@breakwater/breaker';"],
  [
    'packages/breaker/README.md',
    "import { CircuitBreaker, createFakeClock } from '@breakwater/breaker';",
  ],
  [
    'packages/redis-adapter/README.md',
    "import { tracingChannel } from 'node:diagnostics_channel';",
  ],
  [
    'packages/redis-adapter/README.md',
    "import { createIoredisAdapter } from '@breakwater/redis-adapter/ioredis';",
  ],
];

describe.concurrent('complete README snippets as child node processes', () => {
  for (const [readme, first] of snippets) {
    it(`${readme}: ${first} — exits 0 by itself`, async () => {
      const r = await runNodeScript(snippet(readme, first), {
        dir: DIR,
        env: { REDIS_URL: downUrl },
        timeoutMs: EXIT_MS + 10_000,
      });
      expect(r.stderr).toBe('');
      expect(r.ms).toBeLessThan(EXIT_MS);
      expect(r.code).toBe(0);
    });
  }
});
