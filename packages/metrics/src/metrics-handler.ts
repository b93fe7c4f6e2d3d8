/** Serving a registry: a framework-agnostic scrape and a node:http request handler. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import createDebug from 'debug';
import type { Registry, RegistryContentType } from 'prom-client';

const debug = createDebug('breakwater:metrics');

/** What {@link scrapeMetrics} resolves with. */
export interface MetricsResponse {
  /** 200, or 500 when collecting failed. */
  readonly statusCode: 200 | 500;
  /** The registry's content type (Prometheus text or OpenMetrics), or text/plain on failure. */
  readonly contentType: string;
  /** The exposition, or a short error text (no details: they are logged through debug). */
  readonly body: string;
}

const FAILED_BODY = 'metrics collection failed\n';

/**
 * Collects `registry` and resolves with status, content type and body. Never rejects: a failing
 * collection (some other library's `collect()` threw) resolves with status 500.
 */
export async function scrapeMetrics(
  registry: Registry<RegistryContentType>,
): Promise<MetricsResponse> {
  try {
    const body = await registry.metrics();
    return { statusCode: 200, contentType: registry.contentType, body };
  } catch (error) {
    debug('scrape failed: %O', error);
    return { statusCode: 500, contentType: 'text/plain; charset=utf-8', body: FAILED_BODY };
  }
}

/**
 * A node:http request listener that answers every request it receives with the exposition of
 * `registry` (`GET`/`HEAD`; other methods get 405). Mount it on its own server,
 * `http.createServer(metricsHandler(registry))`, or call it from your router for `/metrics`.
 * A failing scrape answers 500; the handler never throws.
 */
export function metricsHandler(
  registry: Registry<RegistryContentType>,
): (req: IncomingMessage, res: ServerResponse) => void {
  if (typeof registry !== 'object' || registry === null || typeof registry.metrics !== 'function') {
    throw new TypeError(`registry must be a prom-client Registry, got ${String(registry)}`);
  }
  return (req, res) => {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', false, {
        Allow: 'GET, HEAD',
      });
      return;
    }
    void scrapeMetrics(registry).then((r) =>
      send(res, r.statusCode, r.contentType, r.body, method === 'HEAD'),
    );
  };
}

function send(
  res: ServerResponse,
  statusCode: number,
  contentType: string,
  body: string,
  head: boolean,
  extra: Record<string, string> = {},
): void {
  try {
    if (res.headersSent || res.writableEnded) return;
    res.statusCode = statusCode;
    res.setHeader('Content-Type', contentType);
    res.setHeader('Content-Length', Buffer.byteLength(body));
    for (const [k, v] of Object.entries(extra)) res.setHeader(k, v);
    res.end(head ? undefined : body);
  } catch (error) {
    debug('writing the metrics response failed: %O', error);
  }
}
