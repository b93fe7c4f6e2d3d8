/** HTTP requests for the load generator: keep-alive, loopback, every answer mapped to an Outcome. */
import http from 'node:http';
import type { Outcome } from './load-generator.js';

export interface HttpTarget {
  /** Sends GET `path` and resolves how it ended. */
  get(path: string, signal: AbortSignal): Promise<Outcome>;
  /** Sends a JSON POST, resolves status and headers (used once, to log in). */
  post(path: string, body: unknown): Promise<{ status: number; headers: http.IncomingHttpHeaders }>;
  close(): void;
}

/** A 200 with an `x-degraded` header is 'degraded'; 4xx 'rejected'; 5xx or no answer 'error'. */
export function outcomeOf(status: number, headers: http.IncomingHttpHeaders): Outcome {
  if (status >= 500) return 'error';
  if (status >= 400) return 'rejected';
  return headers['x-degraded'] ? 'degraded' : 'ok';
}

export function httpTarget(
  port: number,
  maxSockets: number,
  headers: () => Record<string, string>,
): HttpTarget {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const send = (
    method: string,
    path: string,
    body: string | undefined,
    signal?: AbortSignal,
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders }> =>
    new Promise((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          path,
          method,
          agent,
          signal,
          headers: { ...headers(), ...(body ? { 'content-type': 'application/json' } : {}) },
        },
        (res) => {
          res.resume();
          res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
          res.once('error', reject);
        },
      );
      req.once('error', reject);
      req.end(body);
    });
  return {
    get: async (path, signal) => {
      const r = await send('GET', path, undefined, signal);
      return outcomeOf(r.status, r.headers);
    },
    post: (path, body) => send('POST', path, JSON.stringify(body)),
    close: () => agent.destroy(),
  };
}
