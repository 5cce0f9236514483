/**
 * The three series every request adds to (requests, their duration, their
 * upstream calls), counted in plain numbers and handed to prom-client's
 * registry at each scrape as the metrics it prints, line for line as its
 * own Counter and Histogram would. Hand-written because prom-client builds a
 * label hash, a closure and a label object on every observation: at tens of
 * thousands of requests a second that was 2–10% of the gateway's CPU (the
 * benchmark's row with metrics off). Everything else stays prom-client's.
 */
import type { Registry } from 'prom-client';

interface Series {
  count: number;
  durationSum: number;
  /** Observations at or below each bound (not cumulative). */
  durationBuckets: number[];
  callsCount: number;
  callsSum: number;
  callsBuckets: number[];
}

interface Value {
  value: number;
  labels: Record<string, string | number>;
  sharedLabels?: Record<string, string>;
  metricName?: string;
}

export interface RequestSeries {
  /** One request: its duration, and its upstream calls unless it shared another's execution. */
  observe(operation: string, type: string, seconds: number, upstreamCalls: number | undefined): void;
}

export function requestSeries(
  registry: Registry,
  { durationBuckets, callsBuckets }: { durationBuckets: readonly number[]; callsBuckets: readonly number[] },
): RequestSeries {
  /** By operation, then type: two map lookups per request, no string built. */
  const byOperation = new Map<string, Map<string, Series>>();

  const seriesOf = (operation: string, type: string): Series => {
    let byType = byOperation.get(operation);
    if (!byType) byOperation.set(operation, (byType = new Map()));
    let series = byType.get(type);
    if (!series) {
      series = {
        count: 0,
        durationSum: 0,
        durationBuckets: durationBuckets.map(() => 0),
        callsCount: 0,
        callsSum: 0,
        callsBuckets: callsBuckets.map(() => 0),
      };
      byType.set(type, series);
    }
    return series;
  };

  const each = function* () {
    for (const [operation, byType] of byOperation)
      for (const [type, series] of byType) yield { operation, type, series };
  };

  const metric = (name: string, help: string, type: 'counter' | 'histogram', values: () => Value[]) => ({
    name,
    help,
    type,
    aggregator: 'sum' as const,
    get: async () => ({ name, help, type, aggregator: 'sum' as const, values: values() }),
    reset: () => byOperation.clear(),
  });

  const register = (one: ReturnType<typeof metric>) =>
    registry.registerMetric(one as unknown as Parameters<Registry['registerMetric']>[0]);
  register(
    metric('graftql_requests_total', 'GraphQL requests answered, by operation and operation type.', 'counter', () =>
      [...each()].map(({ operation, type, series }) => ({ value: series.count, labels: { operation, type } })),
    ),
  );
  register(
    metric(
      'graftql_request_duration_seconds',
      'Time from a request reaching the gateway to its answer being ready.',
      'histogram',
      () =>
        histogramValues(
          'graftql_request_duration_seconds',
          durationBuckets,
          [...each()].map(({ operation, type, series }) => ({
            labels: { operation, type },
            buckets: series.durationBuckets,
            sum: series.durationSum,
            count: series.count,
          })),
        ),
    ),
  );
  register(
    metric(
      'graftql_request_upstream_calls',
      'Upstream calls one request made (cache hits and shared calls excluded).',
      'histogram',
      () => histogramValues('graftql_request_upstream_calls', callsBuckets, callsByOperation(each(), callsBuckets)),
    ),
  );

  return {
    observe(operation, type, seconds, upstreamCalls) {
      const series = seriesOf(operation, type);
      series.count += 1;
      series.durationSum += seconds;
      const d = bucketOf(durationBuckets, seconds);
      if (d >= 0) series.durationBuckets[d] = (series.durationBuckets[d] ?? 0) + 1;
      if (upstreamCalls === undefined) return;
      series.callsCount += 1;
      series.callsSum += upstreamCalls;
      const c = bucketOf(callsBuckets, upstreamCalls);
      if (c >= 0) series.callsBuckets[c] = (series.callsBuckets[c] ?? 0) + 1;
    },
  };
}

interface HistogramRow {
  labels: Record<string, string>;
  buckets: number[];
  sum: number;
  count: number;
}

/** A histogram's values in prom-client's form: cumulative buckets, +Inf, sum and count per row. */
function histogramValues(name: string, bounds: readonly number[], rows: Iterable<HistogramRow>): Value[] {
  const values: Value[] = [];
  for (const { labels, buckets, sum, count } of rows) {
    let cumulative = 0;
    bounds.forEach((bound, i) => {
      cumulative += buckets[i] ?? 0;
      values.push({ labels: { le: bound }, sharedLabels: labels, value: cumulative, metricName: `${name}_bucket` });
    });
    values.push(
      { labels: { le: '+Inf' }, sharedLabels: labels, value: count, metricName: `${name}_bucket` },
      { labels: {}, sharedLabels: labels, value: sum, metricName: `${name}_sum` },
      { labels: {}, sharedLabels: labels, value: count, metricName: `${name}_count` },
    );
  }
  return values;
}

/** The upstream calls series by operation alone: each operation's types added up. */
function callsByOperation(
  all: Iterable<{ operation: string; series: Series }>,
  callsBuckets: readonly number[],
): Iterable<HistogramRow> {
  const byName = new Map<string, HistogramRow>();
  for (const { operation, series } of all) {
    if (series.callsCount === 0) continue;
    const row = byName.get(operation) ?? {
      labels: { operation },
      buckets: callsBuckets.map(() => 0),
      sum: 0,
      count: 0,
    };
    for (let i = 0; i < series.callsBuckets.length; i++)
      row.buckets[i] = (row.buckets[i] ?? 0) + (series.callsBuckets[i] ?? 0);
    row.sum += series.callsSum;
    row.count += series.callsCount;
    byName.set(operation, row);
  }
  return byName.values();
}

/** The first bound the value fits under (a value over every bound counts in +Inf only), as prom-client's histogram finds it. */
function bucketOf(bounds: readonly number[], value: number): number {
  for (let i = 0; i < bounds.length; i++) if (value <= (bounds[i] as number)) return i;
  return -1;
}
