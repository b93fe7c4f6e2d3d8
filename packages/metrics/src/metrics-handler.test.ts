import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CircuitBreaker, createFakeClock } from '@breakwater/breaker';
import { Gauge, Registry } from 'prom-client';
import type { OpenMetricsContentType, RegistryContentType } from 'prom-client';
import { afterEach, describe, expect, test } from 'vitest';
import { instrumentBreaker } from './instrument-breaker.js';
import { metricsHandler, scrapeMetrics } from './metrics-handler.js';

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function serve(registry: Registry<RegistryContentType>): Promise<string> {
  const server = http.createServer(metricsHandler(registry));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
}

/** A registry holding someone else's gauge whose collect() throws. */
function brokenRegistry(): Registry {
  const registry = new Registry();
  new Gauge({
    name: 'someone_elses_gauge',
    help: 'throws',
    registers: [registry],
    collect() {
      throw new Error('secret://do-not-leak');
    },
  });
  return registry;
}

describe('metricsHandler', () => {
  test('serves the registry with its content type', async () => {
    const registry = new Registry();
    instrumentBreaker(new CircuitBreaker('redis', { clock: createFakeClock() }), { registry });
    const res = await fetch(await serve(registry));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(Registry.PROMETHEUS_CONTENT_TYPE);
    const body = await res.text();
    expect(body).toContain('circuit_breaker_state{name="redis"} 0\n');
    expect(body).toBe(await registry.metrics());
  });

  test('serves OpenMetrics with the OpenMetrics content type', async () => {
    const registry = new Registry<OpenMetricsContentType>();
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    instrumentBreaker(new CircuitBreaker('redis', { clock: createFakeClock() }), { registry });
    const res = await fetch(await serve(registry));
    expect(res.headers.get('content-type')).toBe(Registry.OPENMETRICS_CONTENT_TYPE);
    expect(await res.text()).toMatch(/# EOF\n$/);
  });

  test('a failing scrape answers 500 without details, and the server keeps serving', async () => {
    const url = await serve(brokenRegistry());
    for (let i = 0; i < 2; i++) {
      const res = await fetch(url);
      expect(res.status).toBe(500);
      const body = await res.text();
      expect(body).toBe('metrics collection failed\n');
      expect(body).not.toContain('secret');
    }
  });

  test('HEAD has headers and no body; other methods get 405', async () => {
    const url = await serve(new Registry());
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await fetch(url, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  test('rejects a non-registry at creation', () => {
    expect(() => metricsHandler({} as never)).toThrow(/registry must be a prom-client Registry/);
  });
});

describe('scrapeMetrics', () => {
  test('resolves 200 with the body', async () => {
    const registry = new Registry();
    expect(await scrapeMetrics(registry)).toEqual({
      statusCode: 200,
      contentType: Registry.PROMETHEUS_CONTENT_TYPE,
      body: '\n',
    });
  });

  test('never rejects: a throwing collect() resolves 500', async () => {
    expect(await scrapeMetrics(brokenRegistry())).toEqual({
      statusCode: 500,
      contentType: 'text/plain; charset=utf-8',
      body: 'metrics collection failed\n',
    });
  });
});
