/**
 * What the gateway reports as it works, for metrics, the request log, the
 * status page and traces to read: one report per GraphQL request (whatever
 * its transport, refused or answered) and one event per thing a source client
 * does. The emitters (pipeline, source clients) know nothing of who listens.
 */
import type { ErrorCode } from '../errors.ts';

/** A source's circuit breaker: calls go through (`closed`), fail at once (`open`), or one probe goes (`half-open`). */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** How one HTTP exchange with a source ended: `success` (a 2xx, or a 304 to a conditional request), `cancelled` (a hedged attempt that lost, a caller that left), or the code it failed with. */
export type AttemptOutcome = 'success' | 'cancelled' | ErrorCode;

export interface UpstreamAttempt {
  source: string;
  method: string;
  /** Absent when no answer arrived. */
  status?: number;
  outcome: AttemptOutcome;
  /** Until the response headers arrived. */
  headersMs?: number;
  /** The whole exchange, body included. */
  attemptMs: number;
}

export interface SourceObserver {
  attempt(attempt: UpstreamAttempt): void;
  retry(source: string): void;
  /** A call refused because too many already wait for the source. */
  shed(source: string): void;
  /** A call refused because its operation spent its upstream call budget. */
  budgetExceeded(source: string): void;
  /** Time a call waited for the source's rate limit. */
  paced(source: string, ms: number): void;
  breaker(source: string, from: BreakerState, to: BreakerState): void;
  hedge(source: string, event: 'sent' | 'won'): void;
}

export type OperationType = 'query' | 'mutation' | 'subscription';

export interface RequestReport {
  requestId: string;
  /** As the document names it; absent for anonymous operations and for requests refused before one was known. */
  operationName?: string;
  /** Absent when the request was refused before its operation was known. */
  operationType?: OperationType;
  durationMs: number;
  /** The HTTP status of the answer (for an `application/json` client). */
  status: number;
  /** Each distinct `extensions.code` among the answer's errors. */
  codes: readonly string[];
  /** Calls that left the gateway for this request (cache hits and shared calls excluded). */
  upstreamCalls: number;
  /** Source answers served from the response cache. */
  cacheHits: number;
  /** Cached answers that stood in for failing sources. */
  staleAnswers: number;
  /** True when it shared another request's execution (server.dedupe). */
  shared: boolean;
  /** True when it was answered from the result cache: a result built for an identical query from stored upstream answers that are unchanged (cache.maxResultBytes). */
  fromResultCache: boolean;
  /** The verified caller's `sub`, when callers are identified and it sent a token. */
  subject?: string;
}

export type RequestObserver = (report: RequestReport) => void;

export const IGNORE_SOURCE_EVENTS: SourceObserver = {
  attempt() {},
  retry() {},
  shed() {},
  budgetExceeded() {},
  paced() {},
  breaker() {},
  hedge() {},
};

/** One observer that tells each of `observers`. */
export function sourceObservers(...observers: SourceObserver[]): SourceObserver {
  if (observers.length === 1 && observers[0]) return observers[0];
  const each = <Event extends keyof SourceObserver>(event: Event) =>
    ((...args: unknown[]) => {
      for (const observer of observers) (observer[event] as (...args: unknown[]) => void)(...args);
    }) as SourceObserver[Event];
  return {
    attempt: each('attempt'),
    retry: each('retry'),
    shed: each('shed'),
    budgetExceeded: each('budgetExceeded'),
    paced: each('paced'),
    breaker: each('breaker'),
    hedge: each('hedge'),
  };
}
