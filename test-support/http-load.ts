/**
 * Bounded HTTP load against a server on loopback, for outage tests of framework integrations:
 * a steady request rate, keep-alive sockets, and a client-side cap per request so that a hang
 * is recorded (status 0, `hung: true`) instead of stalling the test. Loopback only.
 */
import http from 'node:http';

/** One request and how it ended. Times in ms (performance.now()). */
export interface HttpSample {
  /** Caller's label for the phase the request was sent in (e.g. 'up', 'killed'). */
  phase: string;
  start: number;
  ms: number;
  /** HTTP status; 0 when no answer (hung past the cap, or a socket error). */
  status: number;
  hung: boolean;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface HttpLoadOptions {
  /** Port on 127.0.0.1. */
  port: number;
  /** Request path, or a function of the request's index. */
  path: string | ((i: number) => string);
  /** Requests per second. */
  rate: number;
  /** Client-side cap per request in ms; past it the request is aborted and counted as hung. */
  capMs?: number;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** HTTP method. @default 'GET' */
  method?: string;
}

/** A running load: label phases while it runs, then stop() to get every sample. */
export interface HttpLoad {
  /** Label for requests sent from now on. */
  setPhase(phase: string): void;
  /** Samples settled so far. */
  readonly samples: readonly HttpSample[];
  /** Stops sending, waits for every request in flight, closes the sockets. */
  stop(): Promise<HttpSample[]>;
}

/** Sends one request over `agent`; never rejects (status 0 on error or cap). */
export function httpRequest(
  agent: http.Agent,
  port: number,
  path: string,
  options: { capMs?: number; headers?: Record<string, string>; method?: string; phase?: string },
): Promise<HttpSample> {
  const start = performance.now();
  const capMs = options.capMs ?? 5_000;
  return new Promise((resolve) => {
    let settled = false;
    const done = (status: number, hung: boolean, headers: http.IncomingHttpHeaders, body = '') => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const ms = performance.now() - start;
      resolve({ phase: options.phase ?? '', start, ms, status, hung, headers, body });
    };
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        agent,
        headers: options.headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('end', () =>
          done(res.statusCode ?? 0, false, res.headers, Buffer.concat(chunks).toString('utf8')),
        );
        res.once('error', () => done(0, false, res.headers));
      },
    );
    const timer = setTimeout(() => {
      done(0, true, {});
      req.destroy();
    }, capMs);
    req.once('error', () => done(0, false, {}));
    req.end();
  });
}

/** Starts sending `rate` requests per second until stop(). */
export function startHttpLoad(options: HttpLoadOptions): HttpLoad {
  if (!(options.rate > 0) || options.rate > 2_000) {
    throw new RangeError(`startHttpLoad: rate must be in (0, 2000], got ${options.rate}`);
  }
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const samples: HttpSample[] = [];
  const inFlight = new Set<Promise<void>>();
  let phase = '';
  let sent = 0;
  const t0 = performance.now();
  const pathOf = typeof options.path === 'string' ? () => options.path as string : options.path;
  const send = (): void => {
    const p = httpRequest(agent, options.port, pathOf(sent), { ...options, phase }).then((s) => {
      samples.push(s);
    });
    sent += 1;
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  };
  // Catch up on every tick so the rate holds even when timers fire late on a busy box.
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - t0) * options.rate) / 1000);
    for (let n = 0; sent < due && n < 100; n++) send();
  }, 5);
  return {
    setPhase: (p) => void (phase = p),
    samples,
    async stop() {
      clearInterval(timer);
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      agent.destroy();
      return samples;
    },
  };
}

/** Summary of samples: counts by status, latency percentiles, hung count. */
export function summarize(samples: readonly HttpSample[]): {
  count: number;
  byStatus: Record<string, number>;
  hung: number;
  p50: number;
  p99: number;
  max: number;
} {
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  const byStatus: Record<string, number> = {};
  for (const s of samples) byStatus[s.status] = (byStatus[s.status] ?? 0) + 1;
  const at = (q: number): number => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? 0;
  return {
    count: samples.length,
    byStatus,
    hung: samples.filter((s) => s.hung).length,
    p50: Math.round(at(0.5) * 10) / 10,
    p99: Math.round(at(0.99) * 10) / 10,
    max: Math.round((ms.at(-1) ?? 0) * 10) / 10,
  };
}
