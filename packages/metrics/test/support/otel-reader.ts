/** Test helpers: an OpenTelemetry MeterProvider read on demand through the in-memory exporter. */
import type { Attributes } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type MetricData,
} from '@opentelemetry/sdk-metrics';

/** A provider whose cumulative metrics are collected when `read()` is called. */
export function inMemoryProvider(): { provider: MeterProvider; read: () => Promise<MetricData[]> } {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  return {
    provider,
    read: async () => {
      exporter.reset();
      await reader.forceFlush();
      return exporter.getMetrics().flatMap((rm) => rm.scopeMetrics.flatMap((s) => s.metrics));
    },
  };
}

/** The points of `name` whose attributes include `want`. */
export function pointsOf(metrics: MetricData[], name: string, want: Attributes) {
  return (metrics.find((x) => x.descriptor.name === name)?.dataPoints ?? []).filter((p) =>
    Object.entries(want).every(([k, v]) => p.attributes[k] === v),
  );
}

/** Sum of the values of `name`'s points whose attributes include `want` (counters, gauges). */
export function value(metrics: MetricData[], name: string, want: Attributes): number | undefined {
  const points = pointsOf(metrics, name, want);
  return points.length === 0 ? undefined : points.reduce((n, p) => n + (p.value as number), 0);
}
