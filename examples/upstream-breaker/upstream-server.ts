/**
 * A stand-in for a third-party HTTP API (a pricing service) on loopback, with switchable
 * faults: 'ok', 'fail' (503), 'slow' (answers after 2 s), 'hang' (accepts and never answers).
 * `POST /mode/<mode>` switches it from outside, e.g. with curl.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type UpstreamMode = 'ok' | 'fail' | 'slow' | 'hang';
const MODES: readonly UpstreamMode[] = ['ok', 'fail', 'slow', 'hang'];

export interface Upstream {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  mode: UpstreamMode;
  /** Requests received on /price. */
  readonly requests: number;
  close(): Promise<void>;
}

export async function startUpstream(port = 0): Promise<Upstream> {
  let requests = 0;
  const state = { mode: 'ok' as UpstreamMode };
  const server = http.createServer((req, res) => {
    const switchTo = /^\/mode\/([a-z]+)$/.exec(req.url ?? '')?.[1];
    if (req.method === 'POST' && switchTo !== undefined) {
      if (!(MODES as readonly string[]).includes(switchTo)) return void res.writeHead(400).end();
      state.mode = switchTo as UpstreamMode;
      return void res.writeHead(204).end();
    }
    if (req.url !== '/price') return void res.writeHead(404).end();
    requests++;
    const answer = (): void => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ sku: 'widget', price: 41.5 + Math.round(Math.random() * 10) / 10 }));
    };
    if (state.mode === 'fail') res.writeHead(503).end();
    else if (state.mode === 'slow') setTimeout(answer, 2000).unref();
    else if (state.mode === 'ok') answer();
    // 'hang': never answer; close() drops the socket.
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    get mode() {
      return state.mode;
    },
    set mode(m: UpstreamMode) {
      state.mode = m;
    },
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
