/**
 * A reference for the bench, not product code: the least a call must do to settle its caller
 * by a deadline, written by hand with none of the breaker's rules. A pooled call object with
 * handlers bound once, the caller's own promise, an O(1) linked deadline list (never fired
 * here: the bench's ops settle at once), a cached clock read and one success counter. No
 * admission, no generation fencing, no window, no trip rule, no events, no fallback, no timer.
 *
 * Whatever breakwater's timed call costs above this row is its bookkeeping; what this row
 * costs above the race floor is the least any deadline bookkeeping costs.
 */

type Settle = (value: unknown) => void;
const noop: Settle = () => undefined;

let capturedResolve: Settle = noop;
let capturedReject: Settle = noop;
function capture(resolve: Settle, reject: Settle): void {
  capturedResolve = resolve;
  capturedReject = reject;
}

let cachedNow = 0;
let readsLeft = 0;
/** Date.now() reused for 64 reads (the breaker also bounds its cache by reads and by turn). */
function now(): number {
  if (readsLeft-- > 0) return cachedNow;
  readsLeft = 63;
  return (cachedNow = Date.now());
}

class Call {
  deadline = 0;
  prev: Call | null = null;
  next: Call | null = null;
  linked = false;
  resolve: Settle = noop;
  reject: Settle = noop;
  nextFree: Call | null = null;
  readonly onValue = (value: unknown): void => this.settle(value, false);
  readonly onError = (error: unknown): void => this.settle(error, true);

  constructor(private readonly owner: MinimalTimedCalls) {}

  private settle(outcome: unknown, failed: boolean): void {
    if (!this.linked) return;
    const owner = this.owner;
    owner.unlink(this);
    const settle = failed ? this.reject : this.resolve;
    if (!failed) owner.successes++;
    this.resolve = this.reject = noop;
    this.nextFree = owner.free;
    owner.free = this;
    settle(outcome);
  }
}

export class MinimalTimedCalls {
  successes = 0;
  free: Call | null = null;
  private head: Call | null = null;
  private tail: Call | null = null;

  constructor(private readonly timeoutMs: number) {}

  run<T>(op: () => Promise<T>): Promise<T> {
    let call = this.free;
    if (call === null) call = new Call(this);
    else {
      this.free = call.nextFree;
      call.nextFree = null;
    }
    const promise = new Promise<unknown>(capture) as Promise<T>;
    call.resolve = capturedResolve;
    call.reject = capturedReject;
    call.deadline = now() + this.timeoutMs;
    const tail = this.tail;
    call.linked = true;
    call.prev = tail;
    if (tail === null) this.head = call;
    else tail.next = call;
    this.tail = call;
    void op().then(call.onValue, call.onError);
    return promise;
  }

  /** What the one timer would call: rejects the calls whose deadline is due (FIFO order). */
  expireDue(time: number): void {
    let call = this.head;
    while (call !== null && call.deadline <= time) {
      const reject = call.reject;
      this.unlink(call);
      call.resolve = call.reject = noop;
      reject(new Error('timeout'));
      call = this.head;
    }
  }

  unlink(call: Call): void {
    call.linked = false;
    const { prev, next } = call;
    if (prev === null) this.head = next;
    else prev.next = next;
    if (next === null) this.tail = prev;
    else next.prev = prev;
    call.prev = call.next = null;
  }
}
