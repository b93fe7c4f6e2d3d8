/** The scrape-time gauges of a breaker: numeric state, one-hot state and failure ratio. */
import createDebug from 'debug';
import type { Gauge } from 'prom-client';
import { BREAKER_STATES } from './metric-names.js';
import type { Collected } from './metric-store.js';
import type { InstrumentableBreaker } from './types.js';

const debug = createDebug('breakwater:metrics');

/**
 * Adds the collectors of the scrape-time gauges (state, one-hot state, failure ratio). They
 * read memory only; one that fails removes its series (rather than leaving a stale value) and
 * says so once through debug until it works again.
 */
export function collectBreakerGauges(
  breaker: InstrumentableBreaker,
  name: string,
  state: Collected<Gauge<string>>,
  inState: Collected<Gauge<string>>,
  ratio: Collected<Gauge<string>>,
): { dispose(): void } {
  const collectState = guarded(
    () => {
      const index = BREAKER_STATES.indexOf(breaker.state);
      if (index < 0) throw new TypeError(`unknown breaker state ${String(breaker.state)}`);
      state.metric.set({ name }, index);
    },
    () => state.metric.remove({ name }),
    `${name}: reading state failed, state omitted`,
  );
  const collectInState = (): void => {
    let current: string | undefined;
    try {
      current = BREAKER_STATES.find((s) => s === breaker.state);
    } catch {
      current = undefined; // logged by collectState
    }
    for (const s of BREAKER_STATES) {
      if (current === undefined) inState.metric.remove({ name, state: s });
      else inState.metric.set({ name, state: s }, s === current ? 1 : 0);
    }
  };
  const collectRatio = guarded(
    () => {
      const value = breaker.getStats().failureRate;
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new TypeError(`failureRate is ${String(value)}`);
      }
      ratio.metric.set({ name }, value);
    },
    () => ratio.metric.remove({ name }),
    `${name}: getStats() failed, failure ratio omitted`,
  );
  state.collectors.add(collectState);
  inState.collectors.add(collectInState);
  ratio.collectors.add(collectRatio);
  return {
    dispose(): void {
      state.collectors.delete(collectState);
      inState.collectors.delete(collectInState);
      ratio.collectors.delete(collectRatio);
      state.metric.remove({ name });
      ratio.metric.remove({ name });
      for (const s of BREAKER_STATES) inState.metric.remove({ name, state: s });
    },
  };
}

/**
 * A collector that may fail: on failure its series are removed (rather than left stale) and
 * `message` is logged once, until it works again.
 */
function guarded(collect: () => void, remove: () => void, message: string): () => void {
  let broken = false;
  return () => {
    try {
      collect();
      broken = false;
    } catch (error) {
      remove();
      if (!broken) debug('%s: %O', message, error);
      broken = true;
    }
  };
}
