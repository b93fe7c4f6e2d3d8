/** The adapter's tiny typed event emitter: zero cost when nobody listens. */
import createDebug from 'debug';
import type { Unsubscribe } from '@breakwater/breaker';

const debug = createDebug('breakwater:redis');

type Listener<T> = (payload: T) => void;

/**
 * Typed emitter with copy-on-write listener lists (a listener may unsubscribe while an event
 * is dispatched). A listener that throws is logged through `debug` and otherwise ignored.
 */
export class AdapterEvents<Events extends object> {
  private readonly listeners: { [K in keyof Events]?: Listener<Events[K]>[] } = {};

  /** Subscribes; returns an idempotent unsubscribe function. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): Unsubscribe {
    if (typeof listener !== 'function') {
      throw new TypeError(`listener must be a function, got ${typeof listener}`);
    }
    this.listeners[event] = [...(this.listeners[event] ?? []), listener];
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      const next = (this.listeners[event] ?? []).filter((l) => l !== listener);
      this.listeners[event] = next.length === 0 ? undefined : next;
    };
  }

  /** True when `event` has a listener: check it before building a payload. */
  has(event: keyof Events): boolean {
    return this.listeners[event] !== undefined;
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const list = this.listeners[event];
    if (list === undefined) return;
    for (const listener of list) {
      try {
        listener(payload);
      } catch (error) {
        debug('a %s listener threw (ignored): %s', String(event), (error as Error)?.message);
      }
    }
  }
}
