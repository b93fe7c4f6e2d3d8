/**
 * The per-breaker half of instrumentBreakerRegistry(), shared by the Prometheus and the
 * OpenTelemetry side: instruments the registry's live breakers (existing ones now, new ones as
 * they are created), at most `maxKeys` at a time; an evicted breaker's instrumentation is
 * disposed and its place goes to the next new breaker. Never throws from a registry event.
 */
import createDebug from 'debug';
import type {
  DisposeInstrumentation,
  InstrumentableBreaker,
  InstrumentableBreakerRegistry,
} from './types.js';

const debug = createDebug('breakwater:metrics');

/**
 * Calls `instrument` for each of the first `maxKeys` live breakers of `breakers` and `onEvicted`
 * for every eviction. Returns a dispose that unsubscribes and disposes every instrumentation.
 */
export function instrumentCappedBreakers(
  breakers: InstrumentableBreakerRegistry,
  name: string,
  maxKeys: number,
  instrument: (breaker: InstrumentableBreaker) => DisposeInstrumentation,
  onEvicted: (reason: string) => void,
): DisposeInstrumentation {
  const instrumented = new Map<InstrumentableBreaker, DisposeInstrumentation>();
  let capLogged = false;
  const add = (breaker: InstrumentableBreaker): void => {
    if (instrumented.has(breaker)) return;
    if (instrumented.size >= maxKeys) {
      if (!capLogged) {
        capLogged = true;
        debug('%s: more than %d live breakers; the rest are only counted by state', name, maxKeys);
      }
      return;
    }
    try {
      instrumented.set(breaker, instrument(breaker));
    } catch (error) {
      // A name clash with another breaker, say: skip it, never throw from a registry event.
      debug('%s: breaker %s not instrumented: %O', name, breaker.name, error);
    }
  };
  const drop = (breaker: InstrumentableBreaker): void => {
    const dispose = instrumented.get(breaker);
    if (dispose === undefined) return;
    instrumented.delete(breaker);
    dispose();
  };
  for (const [, breaker] of breakers.entries()) add(breaker);
  const subscriptions = [
    breakers.on('created', (e) => add(e.breaker)),
    breakers.on('evicted', (e) => {
      drop(e.breaker);
      onEvicted(e.reason);
    }),
  ];
  return () => {
    for (const unsubscribe of subscriptions) unsubscribe();
    for (const breaker of [...instrumented.keys()]) drop(breaker);
  };
}
