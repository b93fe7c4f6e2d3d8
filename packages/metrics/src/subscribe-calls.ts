/**
 * Subscribes to a breaker's counted call outcomes: through `observeCalls` (no event object per
 * call) when the breaker has it, else through its 'success', 'failure' and 'timeout' events.
 */
import type { CallOutcome } from './metric-names.js';
import type { InstrumentableBreaker, Unsubscribe } from './types.js';

export function subscribeCalls(
  breaker: InstrumentableBreaker,
  onCall: (outcome: CallOutcome, durationMs: number) => void,
): Unsubscribe[] {
  if (typeof breaker.observeCalls === 'function') return [breaker.observeCalls(onCall)];
  return [
    breaker.on('success', (e) => onCall('success', e.durationMs)),
    breaker.on('failure', (e) => onCall('failure', e.durationMs)),
    breaker.on('timeout', (e) => onCall('timeout', e.durationMs)),
  ];
}
