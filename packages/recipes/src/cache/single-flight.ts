/** In-process de-duplication of concurrent loads of the same key. */

export class SingleFlight<T> {
  private readonly inFlight = new Map<string, Promise<T>>();

  get size(): number {
    return this.inFlight.size;
  }

  /**
   * Runs `fn` unless a call for `key` is already in flight, in which case its promise is
   * shared (`joined` is true). The entry is removed when the call settles either way.
   */
  run(key: string, fn: () => Promise<T>): { promise: Promise<T>; joined: boolean } {
    const existing = this.inFlight.get(key);
    if (existing !== undefined) return { promise: existing, joined: true };
    const entry: { promise?: Promise<T>; settled: boolean } = { settled: false };
    const promise = (async () => {
      try {
        return await fn();
      } finally {
        entry.settled = true;
        // A call forgotten meanwhile may have been followed by a newer one: leave that one.
        if (entry.promise !== undefined && this.inFlight.get(key) === entry.promise) {
          this.inFlight.delete(key);
        }
      }
    })();
    // `fn` threw synchronously: already settled, nothing to share.
    if (!entry.settled) {
      entry.promise = promise;
      this.inFlight.set(key, promise);
    }
    return { promise, joined: false };
  }

  /**
   * Later calls for keys starting with `prefix` ('' = every key) start their own load instead
   * of joining the one in flight (its value predates a change of the key). Its callers still
   * get it.
   */
  forget(prefix: string, exact: boolean): void {
    if (exact) {
      this.inFlight.delete(prefix);
      return;
    }
    for (const key of [...this.inFlight.keys()]) {
      if (key.startsWith(prefix)) this.inFlight.delete(key);
    }
  }
}
