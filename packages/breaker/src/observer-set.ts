/**
 * A set of per-call observers (plain functions called on a hot path, without an event object):
 * `current` is `undefined` while there are none, the one observer itself when there is one, and
 * a function calling each in turn when there are several, so the hot path pays one property
 * read while nobody observes and one call when somebody does. Callers guard that call (see
 * `invokeObserver`); with several observers, each is guarded, so one that throws never keeps the
 * others from running.
 */
import { invokeUserCallback } from './invoke-user-callback.js';
import type { Unsubscribe } from './types.js';

export class ObserverSet<A extends unknown[], M = undefined> {
  /** What the hot path calls; `undefined` while nobody observes. */
  current: ((...args: A) => void) | undefined = undefined;
  private entries: readonly { readonly fn: (...args: A) => unknown; readonly meta: M }[] = [];

  constructor(
    /** Names the observers in a debug line when one throws. */
    private readonly what: string,
    private readonly onChange: () => void = () => undefined,
  ) {}

  /** Adds `fn` (with `meta`, see {@link some}); returns an idempotent unsubscribe. */
  add(fn: (...args: A) => unknown, meta: M): Unsubscribe {
    if (typeof fn !== 'function') {
      throw new TypeError(`observer must be a function, got ${fn === null ? 'null' : typeof fn}`);
    }
    const entry = { fn, meta };
    this.set([...this.entries, entry]);
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      this.set(this.entries.filter((e) => e !== entry));
    };
  }

  /** Whether an observer's `meta` satisfies `test`. */
  some(test: (meta: M) => boolean): boolean {
    return this.entries.some((e) => test(e.meta));
  }

  private set(
    entries: readonly { readonly fn: (...args: A) => unknown; readonly meta: M }[],
  ): void {
    this.entries = entries;
    if (entries.length === 0) this.current = undefined;
    else if (entries.length === 1) this.current = entries[0]!.fn as (...args: A) => void;
    else {
      const fns = entries.map((e) => e.fn);
      const what = this.what;
      this.current = (...args: A): void => {
        for (const fn of fns) invokeUserCallback(what, fn, ...args);
      };
    }
    this.onChange();
  }
}
