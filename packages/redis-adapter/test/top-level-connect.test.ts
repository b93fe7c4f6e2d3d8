/**
 * A user's script with a top-level `await redis.connect()`, run as a plain child `node`
 * process (vitest's worker keeps any event loop alive, so only a real process shows this):
 * with Redis down, refused, unresolvable or frozen, `connect()` settles within connectTimeout
 * (degraded, or the typed error under requireConnection), the script goes on and the process
 * exits 0 by itself within connectTimeout + 1 s, for single, Cluster and Sentinel adapters.
 * Before the process hold (ready-waiters.ts) every one of these exited 13 without settling.
 * The single-server cases run over ioredis too (createIoredisAdapter): before its shim passed
 * ref()/unref() to ioredis' socket, a frozen server held the process until the handshake
 * watchdog (exit at ~2 s instead of ~1 s).
 * Cluster and Sentinel: node-redis' private clients (Sentinel's observe and master clients, the
 * cluster's seed discovery client) held a frozen server's socket until socketTimeout; before
 * attempt-sockets.ts a frozen sentinel exited after ~26 s and a frozen cluster seed after 2–3 s
 * (the background retry's discovery socket) instead of ~1 s; a frozen master the sentinel still
 * names, after ~10 s (node-redis' keepalive timer) until attempt timers were unref'ed too.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNodeFile } from '../../../test-support/node-script.js';
import {
  freePort,
  startRedis,
  stopAllRedis,
  type RedisServer,
} from '../../../test-support/redis-server.js';
import { createTestCa, removeTestCa, type TlsFiles } from '../../../test-support/tls.js';

const SCRIPT = fileURLToPath(new URL('./fixtures/top-level-connect.ts', import.meta.url));
/** The fixture's connectTimeout. */
const CONNECT_TIMEOUT = 1000;

let frozen: RedisServer;
let closedPort: number;
beforeAll(async () => {
  frozen = await startRedis();
  frozen.pause(); // SIGSTOP: accepts TCP (the kernel does), never answers
  closedPort = await freePort();
});
afterAll(async () => {
  frozen.resume();
  await stopAllRedis();
});

interface Run {
  code: number | null;
  connect: string;
  connectMs: number;
  exitMs: number;
  stdout: string;
}

type Client = 'node-redis' | 'ioredis';

async function run(
  client: Client,
  topology: string,
  target: string,
  require: boolean,
  tlsCa?: string,
): Promise<Run> {
  const r = await runNodeFile(SCRIPT, {
    env: {
      BW_CLIENT: client,
      BW_TOPOLOGY: topology,
      BW_TARGET: target,
      BW_REQUIRE: require ? '1' : '0',
      BW_TLS_CA: tlsCa,
    },
    timeoutMs: 30_000,
  });
  const connect = /^connect (.*) ms=(\d+)$/m.exec(r.stdout);
  const exit = /^exit code=0 ms=(\d+)$/m.exec(r.stdout);
  return {
    code: r.code,
    connect: connect?.[1] ?? `(no connect line) stderr: ${r.stderr}`,
    connectMs: Number(connect?.[2] ?? NaN),
    exitMs: Number(exit?.[1] ?? NaN),
    stdout: r.stdout,
  };
}

const targets = (): Array<[string, () => string, string]> => [
  ['refused (nothing listens)', () => `127.0.0.1:${closedPort}`, 'RedisUnavailableError'],
  ['unresolvable host', () => 'no-such-host.invalid:6379', 'RedisUnavailableError'],
  ['frozen (SIGSTOP)', () => `127.0.0.1:${frozen.port}`, 'RedisConnectTimeoutError'],
];

const cases: Array<[Client, 'single' | 'cluster' | 'sentinel']> = [
  ['node-redis', 'single'],
  ['node-redis', 'cluster'],
  ['node-redis', 'sentinel'],
  ['ioredis', 'single'],
];

// The six cases of a topology run side by side: each is a child process that mostly waits out
// connectTimeout (its clock starts after its imports), and one after the other they made this
// the slowest file of the suite (64 s per Node version). Not Sentinel: with the sentinel refused
// or unresolvable, node-redis sleeps 1 s (ref'd, out of our reach) before giving up, so its exit
// lands just under connectTimeout + 1 s and six at once on a busy machine pushed it over.
for (const [client, topology] of cases) {
  const group = topology === 'sentinel' ? describe : describe.concurrent;
  group(`top-level await ${client} ${topology} connect() in a plain node process`, () => {
    for (const [label, target, typedError] of targets()) {
      for (const require of [false, true]) {
        it(`${label}${require ? ', requireConnection' : ''}: settles in time, script goes on, exits 0`, async ({
          expect,
        }) => {
          const r = await run(client, topology, target(), require);
          expect(r.connect).toMatch(
            require ? `rejected ${typedError}` : 'resolved state=connecting',
          );
          expect(r.connectMs).toBeGreaterThanOrEqual(CONNECT_TIMEOUT - 50);
          expect(r.connectMs).toBeLessThan(CONNECT_TIMEOUT + 1000);
          expect(r.stdout).toMatch(/^get fallback:not-ready /m);
          expect(r.stdout).not.toContain('unhandledRejection');
          expect(r.code).toBe(0);
          expect(r.exitMs).toBeLessThan(CONNECT_TIMEOUT + 1000);
        });
      }
    }
  });
}

// A frozen master the sentinel still names (no failover: down-after 60 s). node-redis' keepalive
// PING timer of the healthy sentinel connection is ref'ed and private: before attempt-sockets.ts
// unref'ed the timers armed inside an attempt, this script exited after ~10 s (pingInterval).
describe('top-level await node-redis sentinel connect(), master frozen, sentinel healthy', () => {
  let sentinelPort: number;
  beforeAll(async () => {
    const master = await startRedis();
    const conf = `sentinel monitor mymaster 127.0.0.1 ${master.port} 1
sentinel down-after-milliseconds mymaster 60000
`;
    sentinelPort = (await startRedis({ sentinel: true, configFile: conf })).port;
    master.pause(); // resumed by stopAllRedis()
  });
  for (const require of [false, true]) {
    it(`${require ? 'requireConnection: ' : ''}settles in time, exits 0 by itself`, async () => {
      const r = await run('node-redis', 'sentinel', `127.0.0.1:${sentinelPort}`, require);
      expect(r.connect).toMatch(
        require ? 'rejected RedisConnectTimeoutError' : 'resolved state=connecting',
      );
      expect(r.connectMs).toBeLessThan(CONNECT_TIMEOUT + 1000);
      expect(r.code).toBe(0);
      expect(r.exitMs).toBeLessThan(CONNECT_TIMEOUT + 1000);
    });
  }
});

// A frozen TLS sentinel or cluster seed. TLS sockets are not published on `net.client.socket`,
// and node-redis' handshake times out together with the attempt. On Node 20.20 the sentinel
// exited at ~2.06 s (its discovery loop's ref'ed 1 s sleep in the overdue attempt's teardown)
// and the seed at ~2.0 s in 4 runs of 46 (a retry's TLS socket), until the teardown's timers and
// the attempt's TCP handles were unref'ed as well.
describe('top-level await node-redis connect(), TLS server frozen', () => {
  let files: TlsFiles;
  let tlsPort: number;
  beforeAll(async () => {
    files = await createTestCa();
    const server = await startRedis({ tls: files });
    tlsPort = server.port;
    server.pause(); // resumed by stopAllRedis()
  });
  afterAll(() => removeTestCa(files));
  for (const topology of ['sentinel', 'cluster']) {
    it(`${topology}: settles in time, exits 0 by itself`, async () => {
      const r = await run('node-redis', topology, `127.0.0.1:${tlsPort}`, false, files.caCertFile);
      expect(r.connect).toMatch('resolved state=connecting');
      expect(r.code).toBe(0);
      expect(r.exitMs).toBeLessThan(CONNECT_TIMEOUT + 1000);
    });
  }
});

describe.each(['node-redis', 'ioredis'] as const)(
  'top-level await %s connect() with Redis up',
  (client) => {
    it('connects, answers, close() and the process exits 0', async () => {
      const server = await startRedis();
      await server.cli('SET', 'k', 'v');
      const r = await runNodeFile(SCRIPT, {
        env: {
          BW_CLIENT: client,
          BW_TOPOLOGY: 'single',
          BW_TARGET: `127.0.0.1:${server.port}`,
          BW_CLOSE: '1',
        },
      });
      expect(r.stdout).toMatch(/^connect resolved state=ready /m);
      expect(r.stdout).toMatch(/^get v /m);
      expect(r.stdout).toMatch(/^closed /m);
      expect(r.code).toBe(0);
      expect(r.timedOut).toBe(false);
    });
  },
);

// A script that goes on working after its call while the server stays frozen: the adapter's
// background reconnect attempts begin meanwhile and must not hold the process once the script
// is done. Over ioredis, the handshake's first write armed ioredis' socketTimeout, a plain
// ref'ed setTimeout, so each attempt held the process until the handshake watchdog: exit at
// 3.23 s instead of 2.51 s with LINGER 1500 (and CI once saw 2.02 s in the cases above, where
// a busy machine let an attempt begin before the script's end).
describe.each(['node-redis', 'ioredis'] as const)(
  'top-level await %s connect(), frozen server, script goes on working',
  (client) => {
    const LINGER = 1500;
    it(`exits within 400 ms of the script's end (connectTimeout + ${LINGER} ms)`, async () => {
      const server = await startRedis();
      server.pause(); // resumed by stopAllRedis()
      const r = await runNodeFile(SCRIPT, {
        env: {
          BW_CLIENT: client,
          BW_TOPOLOGY: 'single',
          BW_TARGET: `127.0.0.1:${server.port}`,
          BW_LINGER: String(LINGER),
        },
        timeoutMs: 30_000,
      });
      expect(r.stdout).toMatch(/^connect resolved state=connecting /m);
      expect(r.stdout).toMatch(/^get fallback:not-ready /m);
      expect(r.code).toBe(0);
      const exitMs = Number(/^exit code=0 ms=(\d+)$/m.exec(r.stdout)?.[1] ?? NaN);
      expect(exitMs).toBeGreaterThanOrEqual(CONNECT_TIMEOUT + LINGER);
      expect(exitMs).toBeLessThan(CONNECT_TIMEOUT + LINGER + 400);
    });
  },
);
