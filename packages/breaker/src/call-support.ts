/** Types and helpers shared by the call runners: op/fallback types, thenable test, resolvers. */

/** The protected operation. It receives an AbortSignal (see README: "Signals and timeouts"). */
export type Operation<T> = (signal: AbortSignal) => T | PromiseLike<T>;
/** Called instead of failing: receives the error, a TimeoutError or a BrokenCircuitError. */
export type Fallback<R> = (reason: unknown) => R | PromiseLike<R>;

/** True for promises and other thenables. */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (
    v !== null &&
    (typeof v === 'object' || typeof v === 'function') &&
    typeof (v as PromiseLike<unknown>).then === 'function'
  );
}

/** An AbortSignal that never aborts: handed to ops when nothing can cancel them. */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal;

// A shared executor (no closure per call): the Promise constructor calls it synchronously,
// and the caller of newDeferred picks the resolvers up right away.
let capturedResolve: (value: unknown) => void = () => {};
let capturedReject: (error: unknown) => void = () => {};
const captureResolvers = (
  resolve: (value: unknown) => void,
  reject: (error: unknown) => void,
): void => {
  capturedResolve = resolve;
  capturedReject = reject;
};

/** The call's own promise and its resolvers. */
export interface Settler {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Creates a promise and stores its resolvers on `target` (no closure per call). */
export function newDeferred(target: Settler): Promise<unknown> {
  const promise = new Promise(captureResolvers);
  target.resolve = capturedResolve;
  target.reject = capturedReject;
  return promise;
}

/** Milliseconds since `start`; 0 for calls whose start was not read (see `timed()`). */
export function elapsed(now: number, start: number): number {
  return start === start ? now - start : 0;
}
