/**
 * Keeps the process alive while a caller awaits a result. The library's own timers are
 * unref'ed (an idle breaker or a reconnect loop nobody waits on must never keep a process
 * running), so a promise whose only pending work is such a timer would otherwise leave
 * `await` hanging over an empty event loop: Node exits with code 13 ("unsettled top-level
 * await") without settling it.
 */

/** Releases a hold taken with {@link holdProcess}; calling it again is harmless. */
export type ReleaseHold = () => void;

/** Longest interval Node accepts without clamping it to 1 ms. */
const KEEPER_PERIOD_MS = 2 ** 31 - 1;

let holds = 0;
let keeper: ReturnType<typeof setInterval> | undefined;
const noop = (): void => {};

/**
 * Holds the process alive until the returned function is called. Holds are counted: one
 * shared, otherwise idle interval is ref'ed while at least one hold is taken and unref'ed when
 * the last is released, so holding costs no timer per caller. Release it when the awaited
 * promise settles (in a `finally`), never later.
 *
 * @example
 * const release = holdProcess();
 * try { return await waitForSomething(); } finally { release(); }
 */
export function holdProcess(): ReleaseHold {
  if (holds++ === 0) {
    keeper ??= setInterval(noop, KEEPER_PERIOD_MS);
    keeper.ref();
  }
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    if (--holds === 0) keeper?.unref();
  };
}

/** Number of holds currently taken (for tests and diagnostics). */
export function processHolds(): number {
  return holds;
}

/**
 * Runs `promise` under a {@link holdProcess} hold: the process stays alive until it settles.
 * Returns a promise settling the same way.
 */
export async function whileHeld<T>(promise: Promise<T>): Promise<T> {
  const release = holdProcess();
  try {
    return await promise;
  } finally {
    release();
  }
}
