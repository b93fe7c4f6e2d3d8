/**
 * Bucketed counters over a time window, rotated lazily (no timer). Each record or read first
 * expires the buckets that have left the window; each bucket is cleared at most once per
 * rotation, and a gap longer than the window clears everything in one step, so the cost per
 * call is O(1) amortised. Running sums make reads O(1).
 */

/** The counts inside the window. */
export interface WindowCounts {
  /** Calls that counted (successes + failures). */
  readonly calls: number;
  readonly failures: number;
  readonly slow: number;
}

export class SlidingWindow implements WindowCounts {
  private readonly bucketMs: number;
  private readonly size: number;
  /**
   * Per-bucket counters, laid out [calls, failures, slow] × buckets. Allocated on the first
   * record, so an idle breaker costs (almost) nothing.
   */
  private buckets: number[] | null = null;
  /** Epoch (floor(now / bucketMs)) of the newest bucket; -Infinity before the first record. */
  private headEpoch = -Infinity;
  /** End (exclusive) of the newest bucket and its index: the common case is one comparison. */
  private headEnd = -Infinity;
  private headIndex = 0;
  calls = 0;
  failures = 0;
  slow = 0;

  /**
   * @param windowMs length of the window in ms
   * @param buckets number of buckets (granularity). A call recorded at time t counts while
   *   `floor(now / bucketMs) - floor(t / bucketMs) < buckets` (bucketMs = windowMs / buckets),
   *   hence never once it is older than `windowMs`.
   */
  constructor(windowMs: number, buckets: number) {
    this.bucketMs = windowMs / buckets;
    this.size = buckets;
  }

  /** Records one counted call at time `now`. */
  record(now: number, failed: boolean, slow: boolean): void {
    const b = (this.buckets ??= new Array<number>(this.size * 3).fill(0));
    const i = this.advance(now) * 3;
    b[i]!++;
    this.calls++;
    if (failed) {
      b[i + 1]!++;
      this.failures++;
    }
    if (slow) {
      b[i + 2]!++;
      this.slow++;
    }
  }

  /** Expires old buckets as of `now`; the running sums are then the window's counts. */
  expire(now: number): this {
    this.advance(now);
    return this;
  }

  /** Forgets everything. */
  clear(): void {
    this.buckets?.fill(0);
    this.calls = this.failures = this.slow = 0;
    this.headEpoch = -Infinity;
    this.headEnd = -Infinity;
  }

  /** Rotates to the bucket of `now` and returns its index. */
  private advance(now: number): number {
    // Still inside the newest bucket (or a custom clock went backwards: record into it).
    if (now < this.headEnd) return this.headIndex;
    return this.rotate(now);
  }

  private rotate(now: number): number {
    const epoch = Math.floor(now / this.bucketMs);
    const head = this.headEpoch;
    if (epoch > head) {
      if (this.buckets === null || epoch - head >= this.size) {
        // Gap longer than the window (or first use): everything expired, in one step.
        if (this.calls !== 0) this.clear();
      } else {
        const b = this.buckets;
        for (let e = head + 1; e <= epoch; e++) {
          const j = (e % this.size) * 3;
          this.calls -= b[j]!;
          this.failures -= b[j + 1]!;
          this.slow -= b[j + 2]!;
          b[j] = b[j + 1] = b[j + 2] = 0;
        }
      }
      this.headEpoch = epoch;
    }
    const idx = this.headEpoch % this.size;
    this.headIndex = idx < 0 ? idx + this.size : idx;
    this.headEnd = (this.headEpoch + 1) * this.bucketMs;
    return this.headIndex;
  }
}
