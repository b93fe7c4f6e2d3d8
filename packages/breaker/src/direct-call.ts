/**
 * Closed-state calls that nothing can interrupt (no deadline, no caller signal): the breaker
 * only observes the op's outcome. No racing, no per-call object.
 */
import type { FallbackTarget } from './breaker-call.js';
import { NEVER_ABORTED, isThenable, type Operation } from './call-support.js';
import type { OutcomeRecorder } from './outcome-recorder.js';
import type { StateMachine } from './state-machine.js';

/**
 * Hot path (no fallback): observe the op's own promise and hand it back unchanged. The caller
 * settles exactly as the op does, a failure costs no second rejected promise, and our reaction,
 * attached first, records the outcome before the caller resumes. Without listeners or
 * slow-call rule the handlers are shared per generation (no closure, no clock read per call).
 */
export function passThrough<T>(
  m: StateMachine,
  recorder: OutcomeRecorder,
  op: Operation<T>,
  gen: number,
): Promise<T> {
  const start = m.timed() ? m.now() : NaN;
  let result: T | PromiseLike<T>;
  try {
    result = op(NEVER_ABORTED);
  } catch (error) {
    recorder.recordError(gen, false, start, error);
    return Promise.reject(error);
  }
  if (!isThenable(result)) {
    recorder.recordSuccess(gen, false, start);
    return Promise.resolve(result);
  }
  const p = result instanceof Promise ? (result as Promise<T>) : Promise.resolve(result);
  const st = m.st;
  if (start !== start && st.kind === 'closed' && st.gen === gen) {
    if (st.onValue === undefined) recorder.bindHandlers(st);
    p.then(st.onValue, st.onError);
  } else {
    p.then(
      () => recorder.recordSuccess(gen, false, start),
      (error: unknown) => recorder.recordError(gen, false, start, error),
    );
  }
  return p;
}

/** With a fallback: await the op, fall back on a counted failure. */
export async function runDirect<T, R>(
  m: StateMachine,
  recorder: OutcomeRecorder,
  op: Operation<T>,
  fallback: FallbackTarget<R>,
  gen: number,
): Promise<T | R> {
  const start = m.timed() ? m.now() : NaN;
  let value: T;
  try {
    value = await op(NEVER_ABORTED);
  } catch (error) {
    return recorder.handleError(gen, false, start, error, fallback);
  }
  recorder.recordSuccess(gen, false, start, fallback);
  return value;
}
