import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { outageUnderLoad } from './outage-under-load.js';

/** A service that answers every request 100 ms after it arrives. */
const server = http.createServer((_req, res) => void setTimeout(() => res.end('ok'), 100));
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('outageUnderLoad', () => {
  it('counts a request still unanswered when the fault begins as outage, not up', async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    let begunAt = 0;
    const result = await outageUnderLoad({
      fault: {
        begin: async () => void (begunAt = performance.now()),
        end: async () => undefined,
      },
      load: { port, path: '/', rate: 100 },
      upMs: 300,
      outageMs: 100,
      afterMs: 50,
      recovered: async () => true,
    });
    const up = result.phase('up');
    expect(up.length).toBeGreaterThan(0);
    // Every 'up' answer came before the fault: it is what the service says while healthy.
    for (const s of up) expect(s.start + s.ms).toBeLessThan(begunAt);
    // Requests sent before the fault but answered after it are outage samples (at 100 per
    // second with 100 ms answers, several are in flight at any moment).
    const overlapping = result.phase('outage').filter((s) => s.start < begunAt);
    expect(overlapping.length).toBeGreaterThan(0);
    expect(result.samples.every((s) => s.status === 200)).toBe(true);
  });
});
