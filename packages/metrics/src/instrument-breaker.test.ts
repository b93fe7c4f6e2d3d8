import { CircuitBreaker, createFakeClock, isBrokenCircuitError } from '@breakwater/breaker';
import type { FakeClock } from '@breakwater/breaker';
import { Counter, Gauge, Registry } from 'prom-client';
import type { OpenMetricsContentType, RegistryContentType } from 'prom-client';
import { describe, expect, test } from 'vitest';
import { parseSamples, promtoolCheck, samplesOf } from '../test/support/exposition.js';
import { isDuplicateInstrumentNameError, isMetricConflictError } from './errors.js';
import { instrumentBreaker } from './instrument-breaker.js';
import type { InstrumentableBreaker } from './types.js';

// The real class satisfies the structural interface (a compile-time check).
export const asInstrumentable = (b: CircuitBreaker): InstrumentableBreaker => b;

const newBreaker = (clock: FakeClock, name = 'redis'): CircuitBreaker =>
  new CircuitBreaker(name, {
    clock,
    failureThreshold: 2,
    failureRateThreshold: 0.5,
    resetTimeout: 1000,
    timeout: 100,
  });

const scrape = async (registry: Registry<RegistryContentType>): Promise<Map<string, number>> =>
  parseSamples(await registry.metrics());

/** Runs an op that takes `ms` of fake time and then succeeds or throws. */
const call = (b: CircuitBreaker, clock: FakeClock, ms: number, fail: boolean): Promise<string> =>
  b.execute(
    () => {
      clock.advance(ms);
      if (fail) throw new Error('boom');
      return 'ok';
    },
    () => 'fallback',
  );

/** Runs an op that never settles, then advances past the 100 ms timeout. */
const timeOut = async (b: CircuitBreaker, clock: FakeClock): Promise<string> => {
  const p = b.execute(
    () => new Promise<string>(() => {}),
    () => 'fallback',
  );
  clock.advance(100);
  return p;
};

const ZERO_TRANSITIONS = {
  'circuit_breaker_state_transitions_total{name="redis",from="closed",to="open"}': 0,
  'circuit_breaker_state_transitions_total{name="redis",from="open",to="half-open"}': 0,
  'circuit_breaker_state_transitions_total{name="redis",from="open",to="closed"}': 0,
  'circuit_breaker_state_transitions_total{name="redis",from="half-open",to="closed"}': 0,
  'circuit_breaker_state_transitions_total{name="redis",from="half-open",to="open"}': 0,
};

describe('instrumentBreaker', () => {
  test('every series exists at zero before the first call', async () => {
    const registry = new Registry();
    instrumentBreaker(newBreaker(createFakeClock()), { registry });
    const s = await scrape(registry);
    expect(samplesOf(s, 'circuit_breaker_state')).toEqual({
      'circuit_breaker_state{name="redis"}': 0,
    });
    expect(samplesOf(s, 'circuit_breaker_in_state')).toEqual({
      'circuit_breaker_in_state{name="redis",state="closed"}': 1,
      'circuit_breaker_in_state{name="redis",state="half-open"}': 0,
      'circuit_breaker_in_state{name="redis",state="open"}': 0,
    });
    expect(samplesOf(s, 'circuit_breaker_failure_ratio')).toEqual({
      'circuit_breaker_failure_ratio{name="redis"}': 0,
    });
    for (const m of ['successes', 'failures', 'timeouts', 'fallbacks']) {
      expect(samplesOf(s, `circuit_breaker_${m}_total`)).toEqual({
        [`circuit_breaker_${m}_total{name="redis"}`]: 0,
      });
    }
    expect(samplesOf(s, 'circuit_breaker_rejected_total')).toEqual({
      'circuit_breaker_rejected_total{name="redis",reason="open"}': 0,
      'circuit_breaker_rejected_total{name="redis",reason="half-open-full"}': 0,
      'circuit_breaker_rejected_total{name="redis",reason="forced-open"}': 0,
    });
    expect(samplesOf(s, 'circuit_breaker_state_transitions_total')).toEqual(ZERO_TRANSITIONS);
    const counts = samplesOf(s, 'circuit_breaker_call_duration_seconds_count');
    expect(counts).toEqual({
      'circuit_breaker_call_duration_seconds_count{name="redis",outcome="success"}': 0,
      'circuit_breaker_call_duration_seconds_count{name="redis",outcome="failure"}': 0,
      'circuit_breaker_call_duration_seconds_count{name="redis",outcome="timeout"}': 0,
    });
    // 13 default buckets + Inf, for 3 outcomes.
    expect(Object.keys(samplesOf(s, 'circuit_breaker_call_duration_seconds_bucket'))).toHaveLength(
      42,
    );
    expect(s.size).toBe(1 + 3 + 1 + 4 + 3 + 5 + 3 * (14 + 2));
  });

  test('open, reject, half-open, close and re-open are counted exactly', async () => {
    const clock = createFakeClock();
    const b = newBreaker(clock);
    const registry = new Registry();
    instrumentBreaker(b, { registry });

    expect(await call(b, clock, 3, false)).toBe('ok'); // success, 3 ms
    expect(await call(b, clock, 20, true)).toBe('fallback'); // failure, 20 ms
    let s = await scrape(registry);
    expect(s.get('circuit_breaker_failure_ratio{name="redis"}')).toBe(0.5);
    expect(s.get('circuit_breaker_state{name="redis"}')).toBe(0);
    expect(await timeOut(b, clock)).toBe('fallback'); // timeout → 2 failures of 3: opens
    expect(b.state).toBe('open');

    s = await scrape(registry);
    expect(s.get('circuit_breaker_state{name="redis"}')).toBe(2);
    expect(samplesOf(s, 'circuit_breaker_in_state')).toEqual({
      'circuit_breaker_in_state{name="redis",state="closed"}': 0,
      'circuit_breaker_in_state{name="redis",state="half-open"}': 0,
      'circuit_breaker_in_state{name="redis",state="open"}': 1,
    });
    expect(s.get('circuit_breaker_failures_total{name="redis"}')).toBe(2);
    expect(s.get('circuit_breaker_timeouts_total{name="redis"}')).toBe(1);
    expect(s.get('circuit_breaker_successes_total{name="redis"}')).toBe(1);
    expect(s.get('circuit_breaker_fallbacks_total{name="redis"}')).toBe(2);

    // Short-circuited: once with a fallback, once without.
    expect(await call(b, clock, 1, false)).toBe('fallback');
    await expect(b.execute(() => 'never')).rejects.toSatisfy(isBrokenCircuitError);

    clock.advance(1000);
    // A trial that succeeds: open → half-open → closed.
    expect(await call(b, clock, 1, false)).toBe('ok');
    expect(b.state).toBe('closed');
    // Trip again, then fail the trial: closed → open → half-open → open.
    await call(b, clock, 1, true);
    await call(b, clock, 1, true);
    clock.advance(1000);
    await call(b, clock, 1, true);
    expect(b.state).toBe('open');

    s = await scrape(registry);
    expect(samplesOf(s, 'circuit_breaker_state_transitions_total')).toEqual({
      'circuit_breaker_state_transitions_total{name="redis",from="closed",to="open"}': 2,
      'circuit_breaker_state_transitions_total{name="redis",from="open",to="half-open"}': 2,
      'circuit_breaker_state_transitions_total{name="redis",from="open",to="closed"}': 0,
      'circuit_breaker_state_transitions_total{name="redis",from="half-open",to="closed"}': 1,
      'circuit_breaker_state_transitions_total{name="redis",from="half-open",to="open"}': 1,
    });
    expect(samplesOf(s, 'circuit_breaker_rejected_total')).toEqual({
      'circuit_breaker_rejected_total{name="redis",reason="open"}': 2,
      'circuit_breaker_rejected_total{name="redis",reason="half-open-full"}': 0,
      'circuit_breaker_rejected_total{name="redis",reason="forced-open"}': 0,
    });
    expect(s.get('circuit_breaker_successes_total{name="redis"}')).toBe(2);
    expect(s.get('circuit_breaker_failures_total{name="redis"}')).toBe(5);
    expect(s.get('circuit_breaker_timeouts_total{name="redis"}')).toBe(1);
    // 2 failures + 1 timeout + 1 rejection + 3 failures (the rejection without fallback: none).
    expect(s.get('circuit_breaker_fallbacks_total{name="redis"}')).toBe(6);

    const h = 'circuit_breaker_call_duration_seconds';
    expect(samplesOf(s, `${h}_count`)).toEqual({
      [`${h}_count{name="redis",outcome="success"}`]: 2,
      [`${h}_count{name="redis",outcome="failure"}`]: 4,
      [`${h}_count{name="redis",outcome="timeout"}`]: 1,
    });
    expect(s.get(`${h}_sum{name="redis",outcome="success"}`)).toBeCloseTo(0.004, 9);
    expect(s.get(`${h}_sum{name="redis",outcome="failure"}`)).toBeCloseTo(0.023, 9);
    expect(s.get(`${h}_sum{name="redis",outcome="timeout"}`)).toBeCloseTo(0.1, 9);
    // 3 ms lands in le=0.005, not in le=0.0025; the 100 ms timeout in le=0.1, not le=0.05.
    expect(s.get(`${h}_bucket{le="0.0025",name="redis",outcome="success"}`)).toBe(1);
    expect(s.get(`${h}_bucket{le="0.005",name="redis",outcome="success"}`)).toBe(2);
    expect(s.get(`${h}_bucket{le="0.05",name="redis",outcome="timeout"}`)).toBe(0);
    expect(s.get(`${h}_bucket{le="0.1",name="redis",outcome="timeout"}`)).toBe(1);
    expect(s.get(`${h}_bucket{le="+Inf",name="redis",outcome="failure"}`)).toBe(4);
  });

  test('forced open and half-open-full rejections, and reset, are labelled', async () => {
    const clock = createFakeClock();
    const b = newBreaker(clock);
    const registry = new Registry();
    instrumentBreaker(b, { registry });
    b.forceOpen();
    await call(b, clock, 1, false);
    b.reset(); // open → closed
    b.reset(); // closed → closed is not a transition
    await call(b, clock, 1, true);
    await call(b, clock, 1, true);
    clock.advance(1000);
    const trial = b.execute(
      () => new Promise<string>(() => {}),
      () => 'fallback',
    );
    expect(b.state).toBe('half-open');
    expect(await call(b, clock, 1, false)).toBe('fallback'); // the only slot is taken
    let s = await scrape(registry);
    expect(s.get('circuit_breaker_state{name="redis"}')).toBe(1);
    expect(s.get('circuit_breaker_in_state{name="redis",state="half-open"}')).toBe(1);
    clock.advance(100);
    expect(await trial).toBe('fallback');
    s = await scrape(registry);
    expect(samplesOf(s, 'circuit_breaker_rejected_total')).toEqual({
      'circuit_breaker_rejected_total{name="redis",reason="open"}': 0,
      'circuit_breaker_rejected_total{name="redis",reason="half-open-full"}': 1,
      'circuit_breaker_rejected_total{name="redis",reason="forced-open"}': 1,
    });
    expect(samplesOf(s, 'circuit_breaker_state_transitions_total')).toEqual({
      'circuit_breaker_state_transitions_total{name="redis",from="closed",to="open"}': 2,
      'circuit_breaker_state_transitions_total{name="redis",from="open",to="half-open"}': 1,
      'circuit_breaker_state_transitions_total{name="redis",from="open",to="closed"}': 1,
      'circuit_breaker_state_transitions_total{name="redis",from="half-open",to="closed"}': 0,
      'circuit_breaker_state_transitions_total{name="redis",from="half-open",to="open"}': 1,
    });
    expect(s.get('circuit_breaker_timeouts_total{name="redis"}')).toBe(1);
  });

  test('instrumenting the same breaker twice shares one instrumentation', async () => {
    const clock = createFakeClock();
    const b = newBreaker(clock);
    const registry = new Registry();
    const first = instrumentBreaker(b, { registry });
    const second = instrumentBreaker(b, { registry });
    expect(second).not.toBe(first);
    await call(b, clock, 1, false);
    expect((await scrape(registry)).get('circuit_breaker_successes_total{name="redis"}')).toBe(1);
    first();
    first(); // idempotent: does not release the second one
    await call(b, clock, 1, false);
    expect((await scrape(registry)).get('circuit_breaker_successes_total{name="redis"}')).toBe(2);
    second();
    const s = await scrape(registry);
    expect(s.size).toBe(0);
  });

  test('two breakers share metrics; dispose removes only its own series and listeners', async () => {
    const clock = createFakeClock();
    const a = newBreaker(clock, 'a');
    const b = newBreaker(clock, 'b');
    const registry = new Registry();
    const disposeA = instrumentBreaker(a, { registry });
    instrumentBreaker(b, { registry });
    await call(a, clock, 1, false);
    await call(b, clock, 1, true);
    let s = await scrape(registry);
    expect(s.get('circuit_breaker_successes_total{name="a"}')).toBe(1);
    expect(s.get('circuit_breaker_failures_total{name="b"}')).toBe(1);
    disposeA();
    await call(a, clock, 1, true); // no listener left: not counted anywhere
    s = await scrape(registry);
    expect([...s.keys()].filter((k) => k.includes('name="a"'))).toEqual([]);
    expect(s.get('circuit_breaker_failures_total{name="b"}')).toBe(1);
    expect(s.get('circuit_breaker_state{name="b"}')).toBe(0);
    expect(s.size).toBe(65); // exactly one breaker's series
    // Instrumenting `a` again after dispose starts from zero.
    instrumentBreaker(a, { registry });
    expect((await scrape(registry)).get('circuit_breaker_failures_total{name="a"}')).toBe(0);
  });

  test('dispose unsubscribes every listener it added, once every holder has disposed', () => {
    const b = newBreaker(createFakeClock());
    const active = new Set<object>();
    const track = (unsubscribe: () => void): (() => void) => {
      const token = {};
      active.add(token);
      return () => {
        active.delete(token);
        unsubscribe();
      };
    };
    const subscribe = b.on.bind(b);
    b.on = ((event: never, listener: never) => track(subscribe(event, listener))) as typeof b.on;
    const observe = b.observeCalls.bind(b);
    b.observeCalls = (observer) => track(observe(observer));
    const registry = new Registry();
    const first = instrumentBreaker(b, { registry });
    const second = instrumentBreaker(b, { registry });
    expect(active.size).toBe(4); // a call observer, rejected, fallback, stateChange
    first();
    expect(active.size).toBe(4);
    second();
    expect(active.size).toBe(0);
  });

  test('a different breaker with a taken name is refused; other registries are independent', async () => {
    const clock = createFakeClock();
    const registry = new Registry();
    instrumentBreaker(newBreaker(clock), { registry });
    expect(() => instrumentBreaker(newBreaker(clock), { registry })).toThrow(
      expect.toSatisfy(isDuplicateInstrumentNameError),
    );
    expect(() =>
      instrumentBreaker(newBreaker(clock), { registry, prefix: 'other_' }),
    ).not.toThrow();
    const second = new Registry();
    const b = newBreaker(clock);
    instrumentBreaker(b, { registry: second });
    await call(b, clock, 1, false);
    expect((await scrape(second)).get('circuit_breaker_successes_total{name="redis"}')).toBe(1);
    expect((await scrape(registry)).get('circuit_breaker_successes_total{name="redis"}')).toBe(0);
  });

  test('a prefix is prepended to every metric name', async () => {
    const registry = new Registry();
    instrumentBreaker(newBreaker(createFakeClock()), { registry, prefix: 'myapp_' });
    const names = new Set([...(await scrape(registry)).keys()].map((k) => k.split('{')[0]));
    expect([...names].every((n) => n?.startsWith('myapp_circuit_breaker_'))).toBe(true);
    expect(names.has('myapp_circuit_breaker_state')).toBe(true);
  });

  test('an incompatible metric of the same name is a MetricConflictError, nothing is left behind', async () => {
    const clock = createFakeClock();
    const b = newBreaker(clock);
    const registry = new Registry();
    new Gauge({ name: 'circuit_breaker_failures_total', help: 'x', registers: [registry] });
    let error: unknown;
    try {
      instrumentBreaker(b, { registry });
    } catch (e) {
      error = e;
    }
    expect(isMetricConflictError(error)).toBe(true);
    expect((error as Error).message).toContain('circuit_breaker_failures_total');

    const other = new Registry();
    new Counter({
      name: 'circuit_breaker_successes_total',
      help: 'x',
      labelNames: ['breaker'],
      registers: [other],
    });
    expect(() => instrumentBreaker(b, { registry: other })).toThrow(
      /circuit_breaker_successes_total.*labels/,
    );
    const third = new Registry();
    new Gauge({
      name: 'circuit_breaker_state',
      help: 'x',
      labelNames: ['name'],
      registers: [third],
    });
    expect(() => instrumentBreaker(b, { registry: third })).toThrow(/did not create/);
    // A failed instrumentation subscribed nothing: the breaker still works, and a fresh
    // registry can instrument it.
    const fresh = new Registry();
    instrumentBreaker(b, { registry: fresh });
    await call(b, clock, 1, false);
    expect((await scrape(fresh)).get('circuit_breaker_successes_total{name="redis"}')).toBe(1);
  });

  test('different buckets for an existing histogram are a conflict; custom buckets apply', async () => {
    const clock = createFakeClock();
    const registry = new Registry();
    instrumentBreaker(newBreaker(clock, 'a'), { registry, buckets: [0.01, 0.1] });
    expect(() => instrumentBreaker(newBreaker(clock, 'b'), { registry })).toThrow(
      expect.toSatisfy(isMetricConflictError),
    );
    const s = await scrape(registry);
    expect(Object.keys(samplesOf(s, 'circuit_breaker_call_duration_seconds_bucket'))).toHaveLength(
      9,
    );
  });

  test('a throwing getStats() or state getter does not break the scrape', async () => {
    const clock = createFakeClock();
    const healthy = newBreaker(clock, 'healthy');
    const broken = newBreaker(clock, 'broken');
    const registry = new Registry();
    instrumentBreaker(healthy, { registry });
    instrumentBreaker(broken, { registry });
    broken.getStats = () => {
      throw new Error('stats exploded');
    };
    let s = await scrape(registry);
    expect(s.has('circuit_breaker_failure_ratio{name="broken"}')).toBe(false);
    expect(s.get('circuit_breaker_failure_ratio{name="healthy"}')).toBe(0);
    expect(s.get('circuit_breaker_state{name="broken"}')).toBe(0);
    Object.defineProperty(broken, 'state', {
      get() {
        throw new Error('state exploded');
      },
    });
    s = await scrape(registry);
    expect(
      [...s.keys()].filter(
        (k) => k.startsWith('circuit_breaker_state{') || k.startsWith('circuit_breaker_in_state{'),
      ),
    ).toEqual([
      'circuit_breaker_state{name="healthy"}',
      'circuit_breaker_in_state{name="healthy",state="closed"}',
      'circuit_breaker_in_state{name="healthy",state="half-open"}',
      'circuit_breaker_in_state{name="healthy",state="open"}',
    ]);
    expect(s.get('circuit_breaker_successes_total{name="broken"}')).toBe(0);
  });

  test('counts kept in memory are exact however and however often the registry is read', async () => {
    const clock = createFakeClock();
    const b = newBreaker(clock);
    const registry = new Registry();
    instrumentBreaker(b, { registry });
    await call(b, clock, 1, false);
    await call(b, clock, 1, true);
    // Read through the metric itself, then as JSON, then as text: each flush adds only what is
    // new, so nothing is lost or counted twice.
    const successes = registry.getSingleMetric('circuit_breaker_successes_total')!;
    expect((await successes.get()).values).toEqual([{ labels: { name: 'redis' }, value: 1 }]);
    await call(b, clock, 1, false);
    const json = await registry.getMetricsAsJSON();
    const failures = json.find((m) => m.name === 'circuit_breaker_failures_total');
    expect(failures?.values).toEqual([{ labels: { name: 'redis' }, value: 1 }]);
    const s = await scrape(registry);
    expect(s.get('circuit_breaker_successes_total{name="redis"}')).toBe(2);
    expect(s.get('circuit_breaker_failures_total{name="redis"}')).toBe(1);
    expect(s.get('circuit_breaker_fallbacks_total{name="redis"}')).toBe(1);
    expect((await scrape(registry)).get('circuit_breaker_successes_total{name="redis"}')).toBe(2);
  });

  test('a counter of the same name and labels that this package did not create is a conflict', () => {
    const registry = new Registry();
    new Counter({
      name: 'circuit_breaker_successes_total',
      help: 'x',
      labelNames: ['name'],
      registers: [registry],
    });
    expect(() => instrumentBreaker(newBreaker(createFakeClock()), { registry })).toThrow(
      /circuit_breaker_successes_total.*a counter that @breakwater\/metrics did not create/,
    );
  });

  test('the exposition passes promtool with no error and no warning', async () => {
    const clock = createFakeClock();
    const b = newBreaker(clock);
    const registry = new Registry();
    instrumentBreaker(b, { registry, prefix: 'app_' });
    instrumentBreaker(newBreaker(clock, 'payments'), { registry, prefix: 'app_' });
    await call(b, clock, 2, true);
    await call(b, clock, 2, true);
    await call(b, clock, 2, false);
    const result = promtoolCheck(await registry.metrics());
    expect(result).toEqual({ status: 0, output: '' });
  });

  test('the checker itself catches a lint problem (control)', () => {
    const result = promtoolCheck('# HELP x_seconds x\n# TYPE x_seconds counter\nx_seconds 1\n');
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/_total/);
  });

  test('an OpenMetrics registry type-checks and exposes counters with _total and # EOF', async () => {
    const clock = createFakeClock();
    const b = newBreaker(clock);
    const registry = new Registry<OpenMetricsContentType>();
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    instrumentBreaker(b, { registry });
    await call(b, clock, 1, true);
    const text = await registry.metrics();
    expect(text.endsWith('# EOF\n')).toBe(true);
    expect(text).toContain('# TYPE circuit_breaker_failures counter\n');
    expect(text).toContain('circuit_breaker_failures_total{name="redis"} 1\n');
    expect(text).toContain('# TYPE circuit_breaker_state_transitions counter\n');
    expect(text).not.toContain('_total_total');
    // Instrumenting into the same OpenMetrics registry after a scrape still finds the metrics.
    instrumentBreaker(newBreaker(clock, 'payments'), { registry });
    const again = await registry.metrics();
    expect(again).toContain('circuit_breaker_failures_total{name="payments"} 0\n');
    expect(again.match(/^# TYPE circuit_breaker_failures counter$/gm)).toHaveLength(1);
    // Structurally valid per OpenMetrics: every sample belongs to the family declared above it.
    let family = '';
    for (const line of again.split('\n')) {
      if (line.startsWith('# TYPE ')) family = line.split(' ')[2] ?? '';
      else if (line !== '' && !line.startsWith('#')) {
        expect(line.startsWith(family)).toBe(true);
      }
    }
  });
});

describe('registry hygiene', () => {
  test('never touches the global registry, default labels or other metrics', async () => {
    const { register } = await import('prom-client');
    const before = register.getMetricsAsArray().length;
    const registry = new Registry();
    registry.setDefaultLabels({ service: 'api' });
    const app = new Counter({ name: 'app_requests_total', help: 'x', registers: [registry] });
    app.inc(3);
    const dispose = instrumentBreaker(newBreaker(createFakeClock()), { registry });
    expect(register.getMetricsAsArray()).toHaveLength(before);
    let text = await registry.metrics();
    expect(text).toContain('app_requests_total{service="api"} 3\n');
    expect(text).toContain('circuit_breaker_state{name="redis",service="api"} 0\n');
    expect(promtoolCheck(text)).toEqual({ status: 0, output: '' });
    dispose();
    text = await registry.metrics();
    expect(text).toContain('app_requests_total{service="api"} 3\n');
    expect(text).not.toContain('name="redis"');
  });

  test('the global registry is used only when passed explicitly', async () => {
    const { register } = await import('prom-client');
    const dispose = instrumentBreaker(newBreaker(createFakeClock(), 'global-test'), {
      registry: register,
    });
    try {
      expect(await register.metrics()).toContain('circuit_breaker_state{name="global-test"} 0\n');
    } finally {
      dispose();
      for (const m of register.getMetricsAsArray()) {
        if (m.name.startsWith('circuit_breaker_')) register.removeSingleMetric(m.name);
      }
    }
  });
});
