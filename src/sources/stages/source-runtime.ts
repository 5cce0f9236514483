/**
 * What the stages of one source's client share (source-client.ts makes it
 * once per source): its config, its Agent's attempt context, its breaker,
 * pacer, retry budget and recent latency, and the counts they move. Each
 * stage is a module of functions over it, as undici's interceptors are
 * functions over a dispatcher: caching -> retrying exchange (budget,
 * admission, retries) -> hedged attempt -> attempt.
 */
import type { ResponseCache } from '../../cache/response-cache.ts';
import type { SourceConfig } from '../../config/config-schema.ts';
import type { GraftError } from '../../errors.ts';
import type { Logger } from '../../telemetry/logger.ts';
import type { SourceObserver } from '../../telemetry/observer.ts';
import type { AttemptContext } from '../attempt.ts';
import type { CircuitBreaker } from '../resilience/circuit-breaker.ts';
import type { LatencyWindow } from '../resilience/latency.ts';
import type { Pacer } from '../resilience/pacer.ts';
import type { RetryBudget } from '../resilience/retry-budget.ts';

export interface HedgeStats {
  sent: number;
  won: number;
}

export interface SourceRuntime {
  readonly name: string;
  readonly config: SourceConfig;
  readonly log: Logger;
  readonly observer: SourceObserver;
  readonly cache: ResponseCache;
  readonly attempts: AttemptContext;
  readonly breaker: CircuitBreaker | undefined;
  readonly pacer: Pacer;
  readonly retryBudget: RetryBudget;
  readonly latency: LatencyWindow;
  /** Runs `run` after `ms` (the hedge delay) unless cancelled. */
  readonly schedule: (run: () => void, ms: number) => () => void;
  /** The caller's Authorization header partitions the cache (the source forwards it). */
  readonly forwardsIdentity: boolean;
  readonly hedges: HedgeStats;
  /** Attempts in flight (queued for a connection included). */
  inFlight: number;
}

/** What the breaker counts as the source failing: no answer, a slow one, a broken one, a failed TLS handshake, or a 5xx; not a 4xx or a 429. */
export function countsAgainstSource(error: GraftError): boolean {
  if (
    error.code === 'UPSTREAM_TIMEOUT' ||
    error.code === 'UPSTREAM_BAD_RESPONSE' ||
    error.code === 'UPSTREAM_TLS_ERROR'
  )
    return true;
  if (error.code === 'UPSTREAM_UNAVAILABLE') return error.status === undefined || error.status >= 500;
  return error.code === 'UPSTREAM_ERROR' && (error.status ?? 0) >= 500;
}
