/**
 * The per-request series are printed exactly as prom-client's own Counter and
 * Histogram print the same observations: the hand-written counting changes
 * the cost, not one character of /metrics.
 */
import fc from 'fast-check';
import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { requestSeries } from '../../src/observability/request-series.ts';

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const CALLS = [0, 1, 2, 5, 10, 20, 50, 100];

describe('requestSeries', () => {
  it("prints what prom-client's Counter and Histograms print for the same requests", async () => {
    const request = fc.record({
      operation: fc.constantFrom('anonymous', 'Feed', 'Profile', 'other'),
      type: fc.constantFrom('query', 'mutation'),
      seconds: fc.oneof(fc.constantFrom(...SECONDS, 0, 11), fc.double({ min: 0, max: 12, noNaN: true })),
      calls: fc.option(fc.oneof(fc.constantFrom(...CALLS), fc.integer({ min: 0, max: 200 })), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(request, { maxLength: 40 }), async (requests) => {
        const ours = new Registry();
        const series = requestSeries(ours, { durationBuckets: SECONDS, callsBuckets: CALLS });
        const theirs = new Registry();
        const registers = [theirs];
        const total = new Counter({
          name: 'graftql_requests_total',
          help: 'GraphQL requests answered, by operation and operation type.',
          labelNames: ['operation', 'type'],
          registers,
        });
        const duration = new Histogram({
          name: 'graftql_request_duration_seconds',
          help: 'Time from a request reaching the gateway to its answer being ready.',
          labelNames: ['operation', 'type'],
          buckets: SECONDS,
          registers,
        });
        const calls = new Histogram({
          name: 'graftql_request_upstream_calls',
          help: 'Upstream calls one request made (cache hits and shared calls excluded).',
          labelNames: ['operation'],
          buckets: CALLS,
          registers,
        });
        for (const { operation, type, seconds, calls: made } of requests) {
          series.observe(operation, type, seconds, made);
          total.inc({ operation, type });
          duration.observe({ operation, type }, seconds);
          if (made !== undefined) calls.observe({ operation }, made);
        }
        // prom-client orders an upstream-calls series by its first observation, ours by the operation's first request.
        const sorted = (text: string) => text.split('\n').sort().join('\n');
        expect(sorted(await ours.metrics())).toBe(sorted(await theirs.metrics()));
      }),
      { numRuns: 300 },
    );
  });
});
