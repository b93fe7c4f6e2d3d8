import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { FAULT_BOUNDARY_MS, outageUnderLoad } from './outage-under-load.js';

/** A service that answers every request 150 ms after it arrives. */
const server = http.createServer((_req, res) => void setTimeout(() => res.end('ok'), 150));
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('outageUnderLoad', () => {
  it('counts a request sent just before the fault and unanswered then as outage, earlier ones as up', async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    let begunAt = 0;
    const result = await outageUnderLoad({
      fault: {
        begin: async () => void (begunAt = performance.now()),
        end: async () => undefined,
      },
      load: { port, path: '/', rate: 100 },
      upMs: 400,
      outageMs: 100,
      afterMs: 50,
      recovered: async () => true,
    });
    const up = result.phase('up');
    expect(up.length).toBeGreaterThan(0);
    // In the boundary window: unanswered at the fault, so counted as outage (at 100 per second
    // with 150 ms answers, several are in flight at any moment).
    const overlapping = result.phase('outage').filter((s) => s.start < begunAt);
    expect(overlapping.length).toBeGreaterThan(0);
    for (const s of overlapping)
      expect(s.start).toBeGreaterThanOrEqual(begunAt - FAULT_BOUNDARY_MS - 5);
    // Sent earlier but answered after the fault began: still 'up' (a slow answer while healthy
    // must not escape the drill's 'up' check).
    expect(up.some((s) => s.start + s.ms > begunAt)).toBe(true);
    for (const s of up) expect(s.start).toBeLessThan(begunAt - FAULT_BOUNDARY_MS + 5);
    expect(result.samples.every((s) => s.status === 200)).toBe(true);
  });
});
