/**
 * express-rate-limit, express-session and Keyv behind one Express app over a real Sentinel set
 * (1 master, 1 replica, 3 sentinels, quorum 2, down-after 1 s): the master SIGKILLed under load
 * until the sentinels promote the replica. Every request is answered within deadline + 100 ms
 * with no 5xx, the degraded answers are counted on /metrics, and the service is back on the
 * promoted master.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createRedisSentinelAdapter, type RedisSentinelAdapter } from '@breakwater/redis-adapter';
import { stopAllRedis } from '../../../test-support/redis-server.js';
import { startSentinelSet, type SentinelSetHandle } from '../../../test-support/sentinel.js';
import { sentinelMasterFault, waitReplicated } from '../../../test-support/topology-faults.js';
import { DEADLINE_MS } from './harness.js';
import { startDrillApp } from './topology-drill-app.js';
import type { DrillApp } from './topology-drill-app.js';
import { drillUnderLoad } from './topology-drill.js';

let set: SentinelSetHandle;
let adapter: RedisSentinelAdapter;
let app: DrillApp;

beforeAll(async () => {
  set = await startSentinelSet({ name: 'integrations' });
  adapter = createRedisSentinelAdapter({
    sentinel: { name: set.masterName, sentinelRootNodes: set.sentinelRootNodes },
    name: 'integrations-sentinel',
    operationTimeout: DEADLINE_MS,
    connectTimeout: 1000,
    breaker: { failureThreshold: 5, failureRateThreshold: 0.5, resetTimeout: 500 },
    reporter: () => {},
  });
  await adapter.connect();
  app = await startDrillApp(adapter);
  // The sessions are on the replica before the master dies.
  await waitReplicated(set.master);
});

afterAll(async () => {
  await app?.close();
  await adapter?.close();
  await set?.stop();
  await stopAllRedis();
});

describe('integrations over a real Sentinel set, under load', () => {
  it('the master SIGKILLed: answered within deadline + 100 ms, no 5xx, counted on /metrics, back after the promotion', async () => {
    // Every key lives on the master: any user probes each integration.
    const u = app.users[0]!;
    const summary = await drillUnderLoad(app, sentinelMasterFault(set), {
      rateLimit: u,
      session: u,
      keyv: u,
    });
    console.log(`sentinel kill: ${summary}`);
  });
});
