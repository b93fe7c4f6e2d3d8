/** CircuitBreaker unit tests: Generation fencing, classification (isFailure) and caller cancellation. */
import { describe, expect, it, vi } from 'vitest';
import { boom, ok, deferred, make, fail } from '../test/kit.js';

describe('CircuitBreaker: generation fencing', () => {
  it('a slow closed-era success finishing in half-open does not close the circuit', async () => {
    const { b, clock } = make();
    const slow = deferred();
    const p = b.execute(() => slow.promise);
    await fail(b, 3);
    clock.advance(1000);
    const trial = deferred();
    const t = b.execute(() => trial.promise);
    expect(b.state).toBe('half-open');
    const success = vi.fn();
    b.on('success', success);
    slow.resolve('late');
    expect(await p).toBe('late');
    expect(b.state).toBe('half-open');
    expect(success).toHaveBeenCalledTimes(1); // the outcome event is still emitted
    trial.reject(new Error('down'));
    await t.catch(() => {});
    expect(b.state).toBe('open');
  });

  it('a late closed-era failure does not re-open a half-open that just closed', async () => {
    const { b, clock } = make({ halfOpenMaxAttempts: 1 });
    const late = deferred();
    const p = b.execute(
      () => late.promise,
      () => 'fb',
    );
    await fail(b, 3);
    clock.advance(1000);
    await b.execute(ok);
    expect(b.state).toBe('closed');
    late.reject(new Error('old'));
    expect(await p).toBe('fb');
    expect(b.state).toBe('closed');
    expect(b.getStats().failureCount).toBe(0);
  });

  it('a stale trial from an earlier half-open period does not free a slot of the current one', async () => {
    const { b, clock } = make({ halfOpenMaxAttempts: 2, isFailure: (e) => e !== 'neutral' });
    await fail(b, 3);
    clock.advance(1000);
    const a = deferred();
    const pa = b.execute(() => a.promise).catch(() => 'x');
    await b.execute(boom, () => 'fb'); // second trial fails: re-open
    clock.advance(1000);
    const c = deferred();
    const pc = b.execute(() => c.promise);
    expect(b.getStats()).toMatchObject({ state: 'half-open', halfOpenInFlight: 1 });
    a.reject('neutral');
    await pa;
    expect(b.getStats().halfOpenInFlight).toBe(1);
    c.resolve('ok');
    expect(await pc).toBe('ok');
  });

  it('calls in flight across reset() do not count', async () => {
    const { b } = make();
    const ds = [deferred(), deferred(), deferred()];
    const ps = ds.map((d) =>
      b.execute(
        () => d.promise,
        () => 'fb',
      ),
    );
    b.reset();
    ds.forEach((d) => d.reject(new Error('x')));
    await Promise.all(ps);
    expect(b.state).toBe('closed');
    expect(b.getStats().failureCount).toBe(0);
  });
});

describe('CircuitBreaker: classification and cancellation', () => {
  class NotFound extends Error {}
  it('errors isFailure rejects are rethrown unchanged, skip the fallback and count neither way', async () => {
    const { b } = make({ isFailure: (e) => !(e instanceof NotFound) });
    const nf = new NotFound('nope');
    const fallback = vi.fn(() => 'fb');
    const ignored = vi.fn();
    b.on('ignored', ignored);
    for (let i = 0; i < 5; i++) {
      await expect(b.execute(() => Promise.reject(nf), fallback)).rejects.toBe(nf);
    }
    expect(fallback).not.toHaveBeenCalled();
    expect(ignored).toHaveBeenCalledTimes(5);
    expect(ignored.mock.calls[0]![0]).toMatchObject({ name: 'test', error: nf });
    expect(b.getStats()).toMatchObject({ failureCount: 0, successCount: 0, state: 'closed' });
  });

  it('an ignored trial releases its slot without closing', async () => {
    const { b, clock } = make({ isFailure: (e) => !(e instanceof NotFound) });
    await fail(b, 3);
    clock.advance(1000);
    await expect(b.execute(() => Promise.reject(new NotFound()))).rejects.toBeInstanceOf(NotFound);
    expect(b.state).toBe('half-open');
    expect(b.getStats().halfOpenInFlight).toBe(0);
    expect(await b.execute(ok)).toBe('ok');
    expect(b.state).toBe('closed');
  });

  it('a throwing isFailure counts the error as a failure', async () => {
    const { b } = make({ isFailure: () => boom() });
    await fail(b, 3);
    expect(b.state).toBe('open');
  });

  it('a caller abort rejects promptly with the reason, no fallback, neutral; the op sees it', async () => {
    const { b } = make();
    const ac = new AbortController();
    let opSignal: AbortSignal | undefined;
    const fallback = vi.fn();
    const p = b.execute(
      (signal) => {
        opSignal = signal;
        return new Promise<string>(() => {});
      },
      fallback,
      { signal: ac.signal },
    );
    const reason = new Error('caller gave up');
    ac.abort(reason);
    await expect(p).rejects.toBe(reason);
    expect(opSignal?.aborted).toBe(true);
    expect(fallback).not.toHaveBeenCalled();
    expect(b.getStats()).toMatchObject({ failureCount: 0, successCount: 0 });
  });

  it('a caller abort combined with a timeout aborts the op with the caller reason', async () => {
    const { b } = make({ timeout: 1000 });
    const ac = new AbortController();
    let opSignal: AbortSignal | undefined;
    const p = b.execute(
      (signal) => {
        opSignal = signal;
        return new Promise<string>(() => {});
      },
      undefined,
      { signal: ac.signal },
    );
    ac.abort('stop');
    await expect(p).rejects.toBe('stop');
    expect(opSignal?.reason).toBe('stop');
  });

  it('an already-aborted signal rejects without running the op', async () => {
    const { b } = make();
    const op = vi.fn(ok);
    await expect(b.execute(op, undefined, { signal: AbortSignal.abort('early') })).rejects.toBe(
      'early',
    );
    expect(op).not.toHaveBeenCalled();
  });

  it('an aborted trial releases its slot', async () => {
    const { b, clock } = make();
    await fail(b, 3);
    clock.advance(1000);
    const ac = new AbortController();
    const p = b.execute(() => new Promise<string>(() => {}), undefined, { signal: ac.signal });
    ac.abort();
    await p.catch(() => {});
    expect(b.getStats()).toMatchObject({ state: 'half-open', halfOpenInFlight: 0 });
  });
});
