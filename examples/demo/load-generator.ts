/**
 * Open-loop load: `rate` requests per second whatever the answers, at most `concurrency` in
 * flight (a request due while the cap is reached is counted as skipped), and a client-side cap
 * per request so a dependency that hangs cannot stall the drill (recorded as 'hung').
 */

/**
 * How one request ended: 'ok'; 'degraded' (served, from a fallback); 'rejected' (a 4xx such as
 * a rate-limit answer); 'error' (a 5xx, or the client threw); 'hung' (no answer within the cap).
 */
export type Outcome = 'ok' | 'degraded' | 'rejected' | 'error' | 'hung';

/** One request; times in milliseconds on the drill's clock. */
export interface Sample {
  start: number;
  end: number;
  ms: number;
  outcome: Outcome;
}

export interface LoadOptions {
  /** Requests per second. */
  rate: number;
  /** Most requests in flight at once. */
  concurrency: number;
  /** Client-side cap per request, in milliseconds; past it the request counts as 'hung'. */
  capMs: number;
  /** The drill's clock, in milliseconds. */
  now(): number;
  /** Sends one request; the signal aborts when the cap is reached. */
  request(signal: AbortSignal): Promise<Outcome>;
  /** Called as each request settles (or hits the cap). */
  onSample?(sample: Sample): void;
}

const TICK_MS = 5;
const MAX_BURST = 50;

export class LoadGenerator {
  readonly samples: Sample[] = [];
  /** Requests not sent because `concurrency` were in flight. */
  skipped = 0;
  private inFlight = 0;
  private credit = 0;
  private last = 0;
  private paused = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: LoadOptions) {
    for (const key of ['rate', 'concurrency', 'capMs'] as const) {
      const v = options[key];
      if (!Number.isFinite(v) || v <= 0)
        throw new RangeError(`${key} must be a positive number, got ${v}`);
    }
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    if (this.timer) return;
    this.last = this.options.now();
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** Stops issuing requests (requests in flight continue). */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.last = this.options.now();
    this.credit = 0;
  }

  /** Stops issuing and waits for every request in flight to settle or hit its cap. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([...this.pending]);
  }

  private tick(): void {
    const now = this.options.now();
    const elapsed = now - this.last;
    this.last = now;
    if (this.paused) return;
    this.credit = Math.min(this.credit + (elapsed * this.options.rate) / 1000, MAX_BURST);
    while (this.credit >= 1) {
      this.credit -= 1;
      if (this.inFlight >= this.options.concurrency) this.skipped++;
      else this.fire();
    }
  }

  private fire(): void {
    const { now, capMs } = this.options;
    const start = now();
    const controller = new AbortController();
    this.inFlight++;
    let settled = false;
    let capTimer: NodeJS.Timeout | undefined;
    const finish = (outcome: Outcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(capTimer);
      this.inFlight--;
      const end = now();
      const sample: Sample = { start, end, ms: outcome === 'hung' ? capMs : end - start, outcome };
      this.samples.push(sample);
      this.options.onSample?.(sample);
    };
    const done = new Promise<void>((resolve) => {
      capTimer = setTimeout(() => {
        finish('hung');
        controller.abort(new Error(`request exceeded the ${capMs} ms cap`));
        resolve();
      }, capMs);
      let call: Promise<Outcome>;
      try {
        call = Promise.resolve(this.options.request(controller.signal));
      } catch {
        call = Promise.resolve('error');
      }
      call
        .then(
          (outcome) => finish(outcome),
          () => finish('error'),
        )
        .finally(resolve);
    });
    this.pending.add(done);
    void done.finally(() => this.pending.delete(done));
  }
}
