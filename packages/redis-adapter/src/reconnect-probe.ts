/**
 * The reconnect probe: when a connection becomes ready while the breaker is open, one PING on
 * that fresh connection stands in for the breaker's half-open trial. A reply within the
 * deadline closes the breaker at once, so recovery after an outage costs the (jittered)
 * reconnect plus one round trip instead of also waiting out the breaker's reset timeout.
 * A breaker forced open or closed by the operator is left alone.
 */
import type { CircuitBreaker, Clock } from '@breakwater/breaker';

/** What the probe needs. */
export interface ReconnectProbeOptions {
  breaker: CircuitBreaker;
  /** Sends PING on the current connection. */
  ping(): Promise<unknown>;
  /** The probe's deadline in ms (the adapter's `operationTimeout`). */
  timeout: number;
  clock: Clock;
  /** True while the connection the probe was sent on is still the current, ready one. */
  stillCurrent(): boolean;
}

/** Runs one probe if the breaker is open (or half-open) and not forced. Never throws. */
export function probeAfterReconnect(o: ReconnectProbeOptions): void {
  const stats = o.breaker.getStats();
  if (stats.state === 'closed' || stats.forced !== null) return;
  let expired = false;
  const timer = o.clock.setTimeout(() => (expired = true), o.timeout);
  let sent: Promise<unknown>;
  try {
    sent = Promise.resolve(o.ping());
  } catch {
    o.clock.clearTimeout(timer);
    return;
  }
  sent.then(
    () => {
      o.clock.clearTimeout(timer);
      if (expired || !o.stillCurrent()) return;
      const now = o.breaker.getStats();
      if (now.state !== 'closed' && now.forced === null) o.breaker.reset();
    },
    () => o.clock.clearTimeout(timer),
  );
}
