/**
 * The outage drill of the Cluster and Sentinel integration tests: steady load on the drill app
 * (test/topology-drill-app.ts), a master faulted until its replica is promoted, and the bounds
 * of issue 12 asserted over every answer.
 */
import http from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { expect } from 'vitest';
import { httpRequest } from '../../../test-support/http-load.js';
import { outageUnderLoad } from '../../../test-support/outage-under-load.js';
import type { TopologyFault } from '../../../test-support/outage-under-load.js';
import { expectAnsweredInTime } from './integration-app.js';
import { DRILL_OPERATIONS } from './topology-drill-app.js';
import type { DrillApp, Integration } from './topology-drill-app.js';

const INTEGRATIONS = Object.keys(DRILL_OPERATIONS) as Integration[];

/**
 * Runs the drill and asserts: every request answered 200 within deadline + 100 ms (none hung,
 * no 5xx), every signed-in user still signed in as themselves, degraded answers of each
 * integration counted on /metrics exactly as the stores count them, and once the promoted
 * master serves `probe`'s keys (one user per integration whose key lived on the faulted master),
 * no degraded answer at all. Returns a one-line summary for the test log.
 */
export async function drillUnderLoad(
  app: DrillApp,
  fault: TopologyFault,
  probe: Record<Integration, string>,
): Promise<string> {
  const agent = new http.Agent({ keepAlive: true });
  const { port } = app.server;
  let fallbacksDuring = 0;
  let degradedAtRecovery = Number.NaN;
  let lastProbe = '(no probe yet)';
  const result = await outageUnderLoad({
    fault,
    load: { port, path: app.path, rate: 60 },
    upMs: 400,
    outageMs: 600,
    afterMs: 400,
    // A degraded answer is counted when it settles, and the first ones may still be waiting out
    // the reconnect grace or their deadline at mid-outage (a CI run with two suites side by side
    // once scraped 0 there): scrape until one shows, for up to 2 s, still during the outage.
    duringOutage: async () => {
      const until = performance.now() + 2_000;
      for (;;) {
        fallbacksDuring = 0;
        for (const op of Object.values(DRILL_OPERATIONS))
          fallbacksDuring += await app.server.fallbacks(op);
        if (fallbacksDuring > 0 || performance.now() >= until) return;
        await delay(50);
      }
    },
    recovered: async () => {
      const before = app.degraded();
      const answers = await Promise.all(
        INTEGRATIONS.map((i) => httpRequest(agent, port, app.pathFor(i, probe[i]), {})),
      );
      // For the message of a recovery that never comes (seen once in ~12 suite runs).
      lastProbe = `${INTEGRATIONS.map((i, n) => `${i} ${answers[n]!.status} ${answers[n]!.body.slice(0, 80)}`).join('; ')}; degraded +${app.degraded() - before}`;
      const ok = answers.every((a) => a.status === 200) && app.degraded() === before;
      if (ok) degradedAtRecovery = before;
      return ok;
    },
  })
    .catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; last recovery probe: ${lastProbe}`, {
        cause: error,
      });
    })
    .finally(() => agent.destroy());

  const all = expectAnsweredInTime(result.samples, [200], expect);
  const outage = [...result.phase('outage'), ...result.phase('recovering')];
  expect(result.phase('up').length).toBeGreaterThan(20);
  expect(outage.length).toBeGreaterThan(100);
  expect(result.phase('after').length).toBeGreaterThan(20);
  // Signed in as themselves throughout (the in-process copy, then the promoted replica's data).
  const me = result.samples
    .filter((s) => s.body.startsWith('{'))
    .map((s) => JSON.parse(s.body) as { u?: string; user?: string | null })
    .filter((b) => b.u !== undefined);
  expect(me.length).toBeGreaterThan(50);
  expect(me.filter((b) => b.user !== b.u)).toEqual([]);
  expect(app.stores.session.stats().servedFromLocalCopy).toBeGreaterThan(0);

  // Every integration degraded, each degraded answer on /metrics, none once recovered.
  const byOperation = {
    rateLimit: app.stores.rateLimit.stats().degradedByOperation.consume ?? 0,
    session: app.stores.session.stats().degradedByOperation.get ?? 0,
    keyv: app.stores.keyv.stats().degradedByOperation.get ?? 0,
  };
  expect(fallbacksDuring).toBeGreaterThan(0);
  for (const i of INTEGRATIONS) {
    expect(byOperation[i], i).toBeGreaterThan(0);
    expect(await app.server.fallbacks(DRILL_OPERATIONS[i]), i).toBe(byOperation[i]);
  }
  expect(app.degraded()).toBe(degradedAtRecovery);
  return `${JSON.stringify(all)} recovery ${Math.round(result.recoveryMs)} ms after the promotion, outage+recovering ${outage.length} requests, degraded ${JSON.stringify(byOperation)}, local copy served ${app.stores.session.stats().servedFromLocalCopy}`;
}
