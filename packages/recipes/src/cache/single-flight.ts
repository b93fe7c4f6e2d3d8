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
    const promise = (async () => {
      try {
        return await fn();
      } finally {
        this.inFlight.delete(key);
      }
    })();
    this.inFlight.set(key, promise);
    return { promise, joined: false };
  }
}
