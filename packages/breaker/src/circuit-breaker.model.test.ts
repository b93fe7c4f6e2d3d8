/**
 * Model-based property test: random command sequences run against the real breaker and a
 * small, independent reference model of the rules (README "Rules"). After every command the
 * state and every admission decision must agree.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.js';
import { createFakeClock } from './testing/fake-clock.js';

type Cmd =
  | { t: 'start' }
  | { t: 'settle'; k: number; outcome: 'success' | 'failure' | 'ignored' }
  | { t: 'advance'; ms: number }
  | { t: 'reset' }
  | { t: 'forceOpen' }
  | { t: 'forceClosed' };

interface Config {
  failureThreshold: number;
  failureRateThreshold: number;
  halfOpenMaxAttempts: number;
  resetTimeout: number;
  halfOpenTimeout: number;
}

const WINDOW = 10_000;
const BUCKETS = 10;
const BUCKET_MS = WINDOW / BUCKETS;

/** The reference model: written from the rules, not from the implementation. */
class Model {
  kind: 'closed' | 'open' | 'half-open' = 'closed';
  gen = 0;
  until = 0;
  inFlight = 0;
  forced: 'open' | 'closed' | null = null;
  records: Array<{ t: number; failed: boolean }> = [];
  constructor(private readonly c: Config) {}

  private inWindow(now: number) {
    const head = Math.floor(now / BUCKET_MS);
    return this.records.filter((r) => Math.floor(r.t / BUCKET_MS) > head - BUCKETS);
  }
  private open(now: number) {
    this.kind = 'open';
    this.gen++;
    this.until = now + this.c.resetTimeout;
  }
  private close() {
    this.kind = 'closed';
    this.gen++;
    this.records = [];
  }
  /** Returns the admission: null = rejected. */
  admit(now: number): { gen: number; trial: boolean } | null {
    if (this.kind === 'open' && now >= this.until) {
      this.kind = 'half-open';
      this.gen++;
      this.inFlight = 0;
    }
    if (this.kind === 'closed') return { gen: this.gen, trial: false };
    if (this.kind === 'half-open' && this.inFlight < this.c.halfOpenMaxAttempts) {
      this.inFlight++;
      return { gen: this.gen, trial: true };
    }
    return null;
  }
  settle(now: number, call: { gen: number; trial: boolean }, outcome: string) {
    if (call.gen !== this.gen) return; // fenced
    if (outcome === 'ignored') {
      if (call.trial) this.inFlight--;
      return;
    }
    if (call.trial) {
      if (outcome === 'success') this.close();
      else this.open(now);
      return;
    }
    this.records.push({ t: now, failed: outcome === 'failure' });
    const w = this.inWindow(now);
    const failures = w.filter((r) => r.failed).length;
    if (this.forced !== null) return; // forced closed: counts, never trips
    if (failures >= this.c.failureThreshold && failures / w.length >= this.c.failureRateThreshold) {
      this.open(now);
    }
  }
  reset() {
    this.forced = null;
    this.close();
  }
  /** Open with no end (no trial) until reset; a repeated forceOpen changes nothing. */
  forceOpen(now: number) {
    if (this.forced === 'open') return;
    this.forced = 'open';
    this.open(now);
    this.until = Infinity;
  }
  /** Closed and never tripping until reset; a repeated forceClosed changes nothing. */
  forceClosed() {
    if (this.forced === 'closed') return;
    this.forced = 'closed';
    this.close();
  }
  failureCount(now: number) {
    return this.inWindow(now).filter((r) => r.failed).length;
  }
}

class Ignored extends Error {}
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Cmd>({ t: 'start' }) },
  {
    weight: 4,
    arbitrary: fc.record({
      t: fc.constant('settle' as const),
      k: fc.nat(20),
      outcome: fc.constantFrom(
        'success' as const,
        'failure' as const,
        'failure' as const,
        'ignored' as const,
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('advance' as const),
      ms: fc.oneof(
        fc.integer({ min: 0, max: 1500 }),
        fc.integer({ min: 0, max: 25_000 }),
        fc.constant(3_600_000),
      ),
    }),
  },
  { weight: 1, arbitrary: fc.constant<Cmd>({ t: 'reset' }) },
  { weight: 1, arbitrary: fc.constantFrom<Cmd>({ t: 'forceOpen' }, { t: 'forceClosed' }) },
);

const configArb: fc.Arbitrary<Config> = fc.record({
  failureThreshold: fc.integer({ min: 1, max: 4 }),
  failureRateThreshold: fc.constantFrom(0, 0.3, 0.5, 1),
  halfOpenMaxAttempts: fc.integer({ min: 1, max: 3 }),
  resetTimeout: fc.oneof(fc.constantFrom(0, 100), fc.integer({ min: 0, max: 5_000 })),
  halfOpenTimeout: fc.oneof(fc.constant(1_000_000), fc.integer({ min: 1, max: 20_000 })),
});

interface Pending {
  settle: (outcome: string) => void;
  admission: { gen: number; trial: boolean };
  deadline: number;
  seq: number;
  done: boolean;
}

async function runScenario(config: Config, cmds: Cmd[]): Promise<void> {
  const clock = createFakeClock(1_000_000);
  const breaker = new CircuitBreaker('model', {
    ...config,
    monitoringWindow: WINDOW,
    windowBuckets: BUCKETS,
    clock,
    isFailure: (e) => !(e instanceof Ignored),
  });
  const model = new Model(config);
  const pending: Pending[] = [];
  let seq = 0;

  for (const cmd of cmds) {
    if (cmd.t === 'start') {
      let invoked = false;
      let resolveOp!: (v: string) => void;
      let rejectOp!: (e: unknown) => void;
      const op = () => {
        invoked = true;
        return new Promise<string>((res, rej) => {
          resolveOp = res;
          rejectOp = rej;
        });
      };
      const expected = model.admit(clock.now());
      breaker.execute(op).catch(() => {});
      expect(invoked, 'admission').toBe(expected !== null);
      if (expected !== null) {
        pending.push({
          admission: expected,
          deadline: expected.trial ? clock.now() + config.halfOpenTimeout : Infinity,
          seq: seq++,
          done: false,
          settle: (outcome) =>
            outcome === 'success'
              ? resolveOp('ok')
              : rejectOp(outcome === 'ignored' ? new Ignored() : new Error('fail')),
        });
      }
    } else if (cmd.t === 'settle') {
      const live = pending.filter((p) => !p.done);
      if (live.length === 0) continue;
      const p = live[cmd.k % live.length]!;
      p.done = true;
      model.settle(clock.now(), p.admission, cmd.outcome);
      p.settle(cmd.outcome);
      await flush();
    } else if (cmd.t === 'advance') {
      const target = clock.now() + cmd.ms;
      // Trials past their deadline time out in deadline order, each at its own deadline.
      const due = pending
        .filter((p) => !p.done && p.deadline <= target)
        .sort((a, b) => a.deadline - b.deadline || a.seq - b.seq);
      for (const p of due) {
        p.done = true;
        model.settle(p.deadline, p.admission, 'failure');
      }
      clock.advance(cmd.ms);
      await flush();
    } else if (cmd.t === 'forceOpen') {
      model.forceOpen(clock.now());
      breaker.forceOpen();
    } else if (cmd.t === 'forceClosed') {
      model.forceClosed();
      breaker.forceClosed();
    } else {
      model.reset();
      breaker.reset();
    }
    expect(breaker.getStats().forced).toBe(model.forced);
    expect(breaker.state, `state after ${JSON.stringify(cmd)}`).toBe(model.kind);
    if (model.kind === 'closed') {
      expect(breaker.getStats().failureCount).toBe(model.failureCount(clock.now()));
    }
    if (model.kind === 'half-open') {
      expect(breaker.getStats().halfOpenInFlight).toBe(model.inFlight);
    }
  }
}

describe('CircuitBreaker model', () => {
  it('agrees with the reference model on random command sequences', async () => {
    await fc.assert(
      fc.asyncProperty(
        configArb,
        fc.array(cmdArb, { minLength: 5, maxLength: 50, size: 'max' }),
        runScenario,
      ),
      {
        numRuns: 2000,
      },
    );
  }, 60_000);

  it('regression: a neutral trial from an earlier half-open period frees no current slot', async () => {
    await runScenario(
      {
        failureThreshold: 1,
        failureRateThreshold: 0,
        halfOpenMaxAttempts: 2,
        resetTimeout: 0,
        halfOpenTimeout: 1_000_000,
      },
      [
        { t: 'start' },
        { t: 'settle', k: 0, outcome: 'failure' },
        { t: 'start' },
        { t: 'start' },
        { t: 'settle', k: 1, outcome: 'failure' },
        { t: 'start' },
        { t: 'settle', k: 0, outcome: 'ignored' },
        { t: 'start' },
        { t: 'start' },
      ],
    );
  });
});
