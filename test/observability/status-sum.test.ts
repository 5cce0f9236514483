/** The status of several workers as one: counts summed, the slowest percentiles, the worst breaker, the least rate limit left. */
import { describe, expect, it } from 'vitest';
import type { SourceStatus } from '../../src/observability/status-page.ts';
import { sumSourceStatus } from '../../src/observability/status-sum.ts';

const cache = (hit: number, miss: number) => ({ hit, miss, stale: 0, revalidated: 1, coalesced: 2 });
const status = (name: string, more: Partial<SourceStatus>): SourceStatus => ({
  name,
  breaker: 'closed',
  inFlight: 0,
  calls: 0,
  failures: 0,
  cache: cache(0, 0),
  ...more,
});

describe('sumSourceStatus', () => {
  it('adds each source of every worker, by name', () => {
    const summed = sumSourceStatus([
      [
        status('api', { calls: 4, failures: 1, inFlight: 2, p50Ms: 10, p99Ms: 80, cache: cache(3, 1) }),
        status('weather', { calls: 1 }),
      ],
      [
        status('api', {
          breaker: 'half-open',
          calls: 6,
          inFlight: 1,
          p50Ms: 12,
          cache: cache(5, 2),
          rateLimit: { remaining: 40, resetAt: 1, limit: 100 },
        }),
      ],
      [status('api', { breaker: 'open', rateLimit: { remaining: 7, resetAt: 2, limit: 100 } })],
    ]);
    expect(summed).toEqual([
      {
        name: 'api',
        breaker: 'open',
        rateLimit: { remaining: 7, resetAt: 2, limit: 100 },
        inFlight: 3,
        calls: 10,
        failures: 1,
        p50Ms: 12,
        p99Ms: 80,
        cache: { hit: 8, miss: 3, stale: 0, revalidated: 3, coalesced: 6 },
      },
      status('weather', { calls: 1 }),
    ]);
  });

  it('is the one worker as it is, and nothing for none', () => {
    const one = [status('api', { calls: 2, p99Ms: 5 })];
    expect(sumSourceStatus([one])).toEqual(one);
    expect(sumSourceStatus([])).toEqual([]);
  });
});
