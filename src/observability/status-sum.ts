/**
 * The status of every worker of `graftql serve --workers` as one: calls,
 * failures, calls in flight and cache lookups summed; latency percentiles
 * the highest of the workers' (percentiles do not add, and the slowest
 * worker is the one to see); the worst breaker (each worker has its own);
 * the rate-limit window with the least left.
 */
import type { SourceStatus } from './status-page.ts';

const BREAKER_RANK = { off: 0, closed: 1, 'half-open': 2, open: 3 } as const;

export function sumSourceStatus(workers: ReadonlyArray<readonly SourceStatus[]>): SourceStatus[] {
  const byName = new Map<string, SourceStatus>();
  for (const sources of workers)
    for (const source of sources) {
      const known = byName.get(source.name);
      byName.set(source.name, known ? both(known, source) : structuredClone(source));
    }
  return [...byName.values()];
}

function both(a: SourceStatus, b: SourceStatus): SourceStatus {
  const rateLimit =
    a.rateLimit && b.rateLimit
      ? (a.rateLimit.remaining <= b.rateLimit.remaining ? a : b).rateLimit
      : (a.rateLimit ?? b.rateLimit);
  return {
    name: a.name,
    breaker: BREAKER_RANK[a.breaker] >= BREAKER_RANK[b.breaker] ? a.breaker : b.breaker,
    ...(rateLimit && { rateLimit }),
    inFlight: a.inFlight + b.inFlight,
    calls: a.calls + b.calls,
    failures: a.failures + b.failures,
    ...highest('p50Ms', a, b),
    ...highest('p99Ms', a, b),
    cache: {
      hit: a.cache.hit + b.cache.hit,
      miss: a.cache.miss + b.cache.miss,
      stale: a.cache.stale + b.cache.stale,
      revalidated: a.cache.revalidated + b.cache.revalidated,
      coalesced: a.cache.coalesced + b.cache.coalesced,
    },
  };
}

function highest(key: 'p50Ms' | 'p99Ms', a: SourceStatus, b: SourceStatus): Partial<SourceStatus> {
  const values = [a[key], b[key]].filter((value): value is number => value !== undefined);
  return values.length > 0 ? { [key]: Math.max(...values) } : {};
}
