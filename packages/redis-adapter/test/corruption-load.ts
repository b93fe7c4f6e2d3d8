/**
 * The "one corrupted reply" drill shared by the single-server, Cluster and Sentinel tests: a
 * steady GET load over distinct key → value pairs (so a reply matched to the wrong command is
 * a visible wrong value), and a loop that has a {@link CorruptingProxy} replace one reply chunk
 * at a time and measures what callers saw.
 */
import type { CorruptingProxy } from '../../../test-support/corrupting-proxy.js';
import type { RedisFailureKind } from '../src/types.js';

/** Key `i` of the drill and the only value a GET of it may return. */
export const drillKey = (i: number): string => `corrupt:key:${i}`;
export const drillValue = (i: number): string => `value:${i}`;

/** One settled GET of the drill. */
export interface DrillCall {
  key: number;
  start: number;
  end: number;
  result: 'right' | 'wrong' | 'fallback' | 'error';
  kind?: RedisFailureKind;
  /** The value received (result 'wrong') or the rejection (result 'error'). */
  detail?: string;
}

/** A call of the drill: the value read, or the fallback's marker. */
export type DrillGet = (key: string) => Promise<string | null | { fallback: RedisFailureKind }>;

/**
 * Open-loop GETs (independent callers, as in production traffic): `perTick` calls on successive
 * keys every millisecond, whatever earlier calls are doing. Commands are therefore always in
 * flight on both sides of a corrupted chunk, which is what lets node-redis match later replies
 * to earlier commands.
 */
export class DrillLoad {
  readonly calls: DrillCall[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  private next = 0;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly get: DrillGet,
    private readonly keys: number,
    private readonly perTick = 2,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      for (let n = 0; n < this.perTick; n++) {
        const p = this.once(this.next++ % this.keys).finally(() => this.inFlight.delete(p));
        this.inFlight.add(p);
      }
    }, 1);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.inFlight]);
  }

  count(result: DrillCall['result'], since = 0): number {
    return this.calls.filter((c) => c.result === result && c.start >= since).length;
  }

  private async once(i: number): Promise<void> {
    const start = performance.now();
    let call: DrillCall;
    try {
      const v = await this.get(drillKey(i));
      const end = performance.now();
      if (v !== null && typeof v === 'object') {
        call = { key: i, start, end, result: 'fallback', kind: v.fallback };
      } else if (v === drillValue(i)) {
        call = { key: i, start, end, result: 'right' };
      } else {
        call = { key: i, start, end, result: 'wrong', detail: String(v) };
      }
    } catch (e) {
      call = { key: i, start, end: performance.now(), result: 'error', detail: String(e) };
    }
    this.calls.push(call);
  }
}

/** What one corruption did. */
export interface CorruptionOutcome {
  /** Proxied connections opened after the corruption (a replaced connection shows as ≥ 1). */
  newConnections: number;
  /**
   * Corruption → end of the first right value of an affected key (served by the corrupted
   * connection) from a call started after it, in ms.
   */
  backAfterMs: number;
  /** Calls started after the corruption that got another key's value. */
  wrong: number;
  /** Fallbacks of calls started after the corruption, by kind. */
  fallbacks: Partial<Record<RedisFailureKind, number>>;
}

/**
 * Runs `count` corruptions one after another: each waits for steady successes, replaces the
 * next GET reply chunk (one that starts a blob string and holds a drill value), then waits
 * until a call started after it returns the right value for an `affected` key (default: every
 * key; or `settleMs` passes).
 */
export async function corruptRepeatedly(
  proxy: CorruptingProxy,
  load: DrillLoad,
  count: number,
  affected: (key: number) => boolean = () => true,
  settleMs = 1500,
): Promise<CorruptionOutcome[]> {
  const out: CorruptionOutcome[] = [];
  const isValueChunk = (chunk: Buffer): boolean =>
    chunk[0] === 0x24 /* $ */ && chunk.includes('value:');
  for (let n = 0; n < count; n++) {
    // steady state first: right values flowing for a while (the breaker's window holds them)
    const since = performance.now();
    await waitFor(() => load.count('right', since) >= 200, 5000);
    await new Promise((r) => setTimeout(r, 300));
    const connectionsBefore = proxy.connections;
    const hit = await proxy.corruptNextReply(isValueChunk);
    const isBack = (c: DrillCall): boolean =>
      c.result === 'right' && c.start > hit.at && affected(c.key);
    const back = await waitFor(() => load.calls.some(isBack), settleMs);
    // let the stream show what it does for a while (wrong values would keep coming)
    await new Promise((r) => setTimeout(r, 300));
    const after = load.calls.filter((c) => c.start > hit.at || c.end > hit.at);
    const firstRight = load.calls.filter(isBack).reduce((m, c) => Math.min(m, c.end), Infinity);
    out.push({
      newConnections: proxy.connections - connectionsBefore,
      backAfterMs: back ? Math.round(firstRight - hit.at) : Infinity,
      wrong: after.filter((c) => c.result === 'wrong').length,
      fallbacks: byKind(after),
    });
  }
  return out;
}

/** Polls `cond` every 5 ms; true once it holds, false after `ms`. */
export async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 5));
  }
  return cond();
}

function byKind(calls: readonly DrillCall[]): Partial<Record<RedisFailureKind, number>> {
  const out: Partial<Record<RedisFailureKind, number>> = {};
  for (const c of calls) if (c.kind !== undefined) out[c.kind] = (out[c.kind] ?? 0) + 1;
  return out;
}
