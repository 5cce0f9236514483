/**
 * One GraphQL request's ledger: the single record of what it spent and
 * where its answers came from. The pipeline makes one per request (with its
 * deadline, core/deadline.ts); the request's bound sources write to it as
 * calls are made (its upstream calls against the operation's budget, cache
 * hits, stale answers, the stored answers read), the pipeline's steps as
 * they learn (operation, shared execution, result cache), and the request's
 * report is read from it once. A class whose fields are all set from the
 * start: one object of one shape per request.
 */
import { type ErrorCode, GraftError } from '../errors.ts';
import type { UpstreamResponse } from './upstream.ts';

/** A call a fresh stored answer served: which entry, and the very answer it gave (what the result cache checks is still the one stored). */
export interface CachedRead {
  key: string;
  source: string;
  response: UpstreamResponse;
}

/** A cached answer that stood in for a failing source during this request. */
export interface StaleNotice {
  source: string;
  ageSeconds: number;
  /** Why the source could not answer. */
  reason: ErrorCode;
}

/** What a source call spends: one call of the operation's budget (UPSTREAM_CALL_BUDGET_EXCEEDED past it). */
export interface CallBudget {
  /** Counts one call, or throws when none are left. */
  spend(source: string): void;
}

/** Every ledger's reads until its first: most requests make none, and need no array of their own. */
const NO_READS: readonly CachedRead[] = Object.freeze([]);

export class RequestLedger implements CallBudget {
  operationName: string | undefined = undefined;
  operationType: 'query' | 'mutation' | 'subscription' | undefined = undefined;
  /** Upstream calls that left the gateway (after batching and caching). */
  upstreamCalls = 0;
  /** Answers served fresh from the upstream cache. */
  cacheHits = 0;
  #staleNotices: StaleNotice[] | undefined = undefined;
  /** The stored answers that served every call so far; undefined once a call was not served so (it failed, or was made). */
  reads: readonly CachedRead[] | undefined = NO_READS;
  /** It joined another request's execution in flight. */
  shared = false;
  /** It was answered from the result cache. */
  fromResultCache = false;

  /**
   * Cached answers that stood in for failing sources, reported in
   * `extensions.stale`: made on first use (most requests have none, and one
   * that joins another's execution never looks).
   */
  get staleNotices(): StaleNotice[] {
    this.#staleNotices ??= [];
    return this.#staleNotices;
  }

  get staleCount(): number {
    return this.#staleNotices?.length ?? 0;
  }

  /** `callLimit`: the operation's upstream call budget (`limits.upstreamCallsPerOperation`). */
  constructor(readonly callLimit = Number.POSITIVE_INFINITY) {}

  spend(source: string): void {
    if (this.upstreamCalls >= this.callLimit) {
      throw new GraftError(
        'UPSTREAM_CALL_BUDGET_EXCEEDED',
        `This operation needs more than ${this.callLimit} upstream calls; ask for fewer or smaller connections.`,
        { source },
      );
    }
    this.upstreamCalls += 1;
  }

  /** A call answered: from a stored answer (`read`), by a stale one standing in for a failing source (`stale`), or fresh from the source. */
  answered(source: string, { read, stale }: { read?: CachedRead; stale?: { ageMs: number; code: ErrorCode } }): void {
    this.reads &&= read ? [...this.reads, read] : undefined;
    if (read) this.cacheHits += 1;
    if (stale) this.staleNotices.push({ source, ageSeconds: Math.round(stale.ageMs / 1000), reason: stale.code });
  }

  /** A call failed: the request's answer is no longer made of stored answers only. */
  failed(): void {
    this.reads = undefined;
  }
}
