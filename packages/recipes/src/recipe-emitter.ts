/** A tiny typed emitter for the recipes. A listener that throws never disturbs the caller. */
import createDebug from 'debug';

/** Removes the listener it was returned for; calling it twice is harmless. */
export type Unsubscribe = () => void;

const log = createDebug('breakwater:recipes');

/** Typed listener sets keyed by event name; copy-on-write so listeners may unsubscribe mid-emit. */
export class RecipeEmitter<Events extends object> {
  private readonly listeners = new Map<keyof Events, ReadonlyArray<(p: never) => void>>();

  on<K extends keyof Events>(event: K, listener: (payload: Events[K]) => void): Unsubscribe {
    if (typeof listener !== 'function') {
      throw new TypeError(`listener must be a function, got ${typeof listener}`);
    }
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      const list = this.listeners.get(event) ?? [];
      this.listeners.set(
        event,
        list.filter((l) => l !== listener),
      );
    };
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const list = this.listeners.get(event);
    if (list === undefined) return;
    for (const listener of list) {
      try {
        (listener as (p: Events[K]) => void)(payload);
      } catch (error) {
        log('listener for %s threw: %s', String(event), (error as Error)?.name ?? typeof error);
      }
    }
  }
}
