/**
 * Model-based property test of the bulkhead: random sequences of calls, settlements, caller
 * aborts and clock advances run against the real Bulkhead and a small reference model. After
 * every command: never more than maxConcurrent running, never more than maxQueued waiting,
 * calls start in FIFO order, and every call has the outcome the model predicts. At the end every
 * call has settled.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Bulkhead } from './bulkhead.js';
import { isBulkheadRejectedError } from './errors.js';
import { createFakeClock } from './testing/fake-clock.js';

type Cmd =
  | { t: 'call'; withSignal: boolean }
  | { t: 'settle'; k: number; fail: boolean }
  | { t: 'abort'; k: number }
  | { t: 'advance'; ms: number };

type Outcome = 'pending' | 'ok' | 'failed' | 'full' | 'queue-timeout' | 'aborted';

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ t: fc.constant('call' as const), withSignal: fc.boolean() }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ t: fc.constant('settle' as const), k: fc.nat(), fail: fc.boolean() }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('abort' as const), k: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('advance' as const),
      ms: fc.integer({ min: 0, max: 60 }),
    }),
  },
);

const flush = async (): Promise<void> => {
  for (let i = 0; i < 6; i++) await Promise.resolve();
};

describe('Bulkhead model', () => {
  it('keeps its admit / release / queue invariants and settles every call', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 0, max: 4 }),
        fc.oneof(fc.constant(false as const), fc.integer({ min: 1, max: 100 })),
        fc.array(cmd, { maxLength: 60 }),
        async (maxConcurrent, maxQueued, queueTimeout, cmds) => {
          const clock = createFakeClock(0);
          const b = new Bulkhead({ maxConcurrent, maxQueued, queueTimeout, clock });
          // Real side.
          const settleOf = new Map<number, { ok: () => void; fail: () => void }>();
          const aborters = new Map<number, AbortController>();
          const outcome: Outcome[] = [];
          const started: number[] = [];
          // Model side.
          let mRunning: number[] = [];
          let mQueue: Array<{ id: number; at: number }> = [];
          const mOutcome: Outcome[] = [];
          const mStarted: number[] = [];
          let now = 0;
          const mDrain = (): void => {
            while (mRunning.length < maxConcurrent && mQueue.length > 0) {
              const next = mQueue.shift()!;
              mRunning.push(next.id);
              mStarted.push(next.id);
            }
          };

          for (const c of cmds) {
            if (c.t === 'call') {
              const id = outcome.length;
              outcome.push('pending');
              mOutcome.push('pending');
              const ac = c.withSignal ? new AbortController() : undefined;
              if (ac) aborters.set(id, ac);
              const p = b.execute(
                () =>
                  new Promise<void>((resolve, reject) => {
                    started.push(id);
                    settleOf.set(id, { ok: resolve, fail: () => reject(new Error('op')) });
                  }),
                undefined,
                ac ? { signal: ac.signal } : undefined,
              );
              p.then(
                () => (outcome[id] = 'ok'),
                (e: unknown) =>
                  (outcome[id] = isBulkheadRejectedError(e)
                    ? e.reason
                    : e === ac?.signal.reason
                      ? 'aborted'
                      : 'failed'),
              );
              if (mRunning.length < maxConcurrent && mQueue.length === 0) {
                mRunning.push(id);
                mStarted.push(id);
              } else if (mQueue.length < maxQueued) mQueue.push({ id, at: now });
              else mOutcome[id] = 'full';
            } else if (c.t === 'settle') {
              if (mRunning.length === 0) continue;
              const id = mRunning[c.k % mRunning.length]!;
              mRunning = mRunning.filter((x) => x !== id);
              mOutcome[id] = c.fail ? 'failed' : 'ok';
              const s = settleOf.get(id)!;
              if (c.fail) s.fail();
              else s.ok();
              mDrain();
            } else if (c.t === 'abort') {
              const withSignal = mQueue.filter((q) => aborters.has(q.id));
              if (withSignal.length === 0) continue;
              const id = withSignal[c.k % withSignal.length]!.id;
              mQueue = mQueue.filter((q) => q.id !== id);
              mOutcome[id] = 'aborted';
              aborters.get(id)!.abort(new Error(`abort ${id}`));
            } else {
              now += c.ms;
              clock.advance(c.ms);
              if (queueTimeout !== false) {
                for (const q of mQueue)
                  if (q.at + queueTimeout <= now) mOutcome[q.id] = 'queue-timeout';
                mQueue = mQueue.filter((q) => q.at + queueTimeout > now);
              }
            }
            await flush();
            expect(b.running).toBeLessThanOrEqual(maxConcurrent);
            expect(b.queued).toBeLessThanOrEqual(maxQueued);
            expect(b.running).toBe(mRunning.length);
            expect(b.queued).toBe(mQueue.length);
            expect(started).toEqual(mStarted);
            expect(outcome).toEqual(mOutcome);
          }

          // Every call settles: finish what runs (which drains the queue), then let timeouts pass.
          for (let guard = 0; guard < 100 && (b.running > 0 || b.queued > 0); guard++) {
            for (const id of started) settleOf.get(id)!.ok();
            await flush();
            if (queueTimeout !== false) clock.advance(queueTimeout);
            await flush();
          }
          expect(b.running).toBe(0);
          expect(b.queued).toBe(0);
          expect(outcome).not.toContain('pending');
          // The queue's one timer may still be armed for a call that left; once it is due it
          // fires, finds nothing and is not re-armed.
          clock.advance(100);
          expect(clock.pendingTimers()).toBe(0);
        },
      ),
      { numRuns: 500 },
    );
  });
});
