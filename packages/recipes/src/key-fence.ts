/**
 * Which keys this process changed since a read began: a read of the old value that is answered
 * after a set or delete of the same key must not put that value back into an in-process copy
 * (a cache's L1, the session store's local copy) or write it back to Redis. Without the fence a
 * GET sent before `delete(k)` and answered after it refilled the copy, and the old value was
 * served for the copy's whole TTL (a new user's report, 2026-12-07).
 *
 * `begin()` returns a token; `unchangedSince(key, token)` is false once `touch(key)` or
 * `touchAll()` ran after it. Memory is bounded: past `maxKeys` remembered keys the oldest change
 * is forgotten, and every key counts as changed at that change's time. Only reads begun before
 * it (older than `maxKeys` changes) are then fenced without cause: they skip their fill.
 */
export class KeyFence {
  private seq = 0;
  private readonly changedAt = new Map<string, number>();
  /** Sequence of the last change that touched every key (a prefix delete, an overflow). */
  private allChangedAt = 0;

  /** @param maxKeys most keys remembered at once (integer ≥ 1). @default 4096 */
  constructor(private readonly maxKeys = 4096) {
    if (!Number.isInteger(maxKeys) || maxKeys < 1) {
      throw new RangeError(`KeyFence: maxKeys must be an integer ≥ 1, got ${String(maxKeys)}`);
    }
  }

  /** A token for {@link unchangedSince}: take it before sending the read. */
  begin(): number {
    return this.seq;
  }

  /** `key` changes now (call before the write or delete is sent). */
  touch(key: string): void {
    this.seq += 1;
    this.changedAt.delete(key); // re-inserted last: the map stays in change order
    if (this.changedAt.size >= this.maxKeys) {
      const [oldestKey, oldestAt] = this.changedAt.entries().next().value!;
      this.changedAt.delete(oldestKey);
      this.allChangedAt = Math.max(this.allChangedAt, oldestAt);
    }
    this.changedAt.set(key, this.seq);
  }

  /** Every key changes now (a prefix delete, a clear). */
  touchAll(): void {
    this.seq += 1;
    this.changedAt.clear();
    this.allChangedAt = this.seq;
  }

  /**
   * True when `key` itself was changed after `token` was taken, as far as the fence remembers
   * (a change forgotten past `maxKeys`, or a `touchAll`, does not count).
   */
  touchedSince(key: string, token: number): boolean {
    return (this.changedAt.get(key) ?? 0) > token;
  }

  /** True when neither `key` nor every key changed after `token` was taken. */
  unchangedSince(key: string, token: number): boolean {
    return this.allChangedAt <= token && (this.changedAt.get(key) ?? 0) <= token;
  }
}
