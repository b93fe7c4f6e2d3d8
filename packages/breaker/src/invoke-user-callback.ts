/**
 * The one guard around every user callback the library calls for its own purposes (listeners,
 * reporters, observers): whatever the callback does, the caller's call is not affected.
 */
import createDebug from 'debug';

const debug = createDebug('breakwater:callback');

/**
 * A description of a thrown value that is itself safe to compute: a revoked Proxy, an Error
 * whose `name` or `message` getter throws, or an object with a hostile `toString` still yields
 * a string. Only the error's name and message are used, never its other fields.
 */
export function describeThrown(error: unknown): string {
  try {
    if (error instanceof Error) {
      const name = String(error.name);
      const message = String(error.message);
      return message === '' ? name : `${name}: ${message}`;
    }
    if (error === null || (typeof error !== 'object' && typeof error !== 'function')) {
      return `${typeof error} ${String(error)}`;
    }
    return typeof error === 'function' ? 'a function' : 'an object';
  } catch {
    return 'an unprintable value';
  }
}

/**
 * Calls `fn(...args)` and contains everything it can do wrong: a synchronous throw of any
 * value, and a returned promise (an `async` reporter whose transport is down) that rejects,
 * which would otherwise be an unhandled rejection and, by Node's default, crash the process.
 * Failures are logged through `debug` (namespace `breakwater:callback`) with `what` naming the
 * callback (an event name, 'reporter', …); nothing is rethrown. Returns nothing on purpose: a callback's result is not used.
 */
export function invokeUserCallback<A extends unknown[]>(
  what: string,
  fn: (...args: A) => unknown,
  ...args: A
): void {
  let result: unknown;
  try {
    result = fn(...args);
  } catch (error) {
    debug('callback %s threw (ignored): %s', what, describeThrown(error));
    return;
  }
  containRejection(what, result);
}

/**
 * If `result` is a promise (what an `async` callback returns), handles its rejection by
 * logging it, so it cannot become an unhandled rejection. Never throws, whatever `result` is.
 */
export function containRejection(what: string, result: unknown): void {
  if (result === undefined || result === null) return;
  if (typeof result !== 'object' && typeof result !== 'function') return;
  try {
    const then = (result as { then?: unknown }).then;
    if (typeof then !== 'function') return;
    then.call(result, undefined, (error: unknown) => {
      debug('callback %s rejected (ignored): %s', what, describeThrown(error));
    });
  } catch (error) {
    // A revoked Proxy or a throwing `then` getter as the return value.
    debug('callback %s returned an unusable value (ignored): %s', what, describeThrown(error));
  }
}
