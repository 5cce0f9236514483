/** One call of a source client: what the caller gives with it, and what it answers. */
import type { CacheResult } from '../cache/response-cache.ts';
import type { Deadline } from '../core/deadline.ts';
import type { CachedRead, CallBudget } from '../core/request-ledger.ts';
import type { UpstreamResponse } from '../core/upstream.ts';
import type { TraceContext } from '../telemetry/trace.ts';

export interface CallOptions {
  /** The gateway request this call serves; tagged on errors and logs. */
  requestId?: string;
  /** The GraphQL request's deadline: calls and waits end with it (GATEWAY_TIMEOUT). */
  deadline?: Deadline;
  /** The GraphQL operation's upstream call budget (its request ledger). */
  budget?: CallBudget;
  /** The caller's headers this source is configured to forward (lower-case names). */
  forwarded?: Readonly<Record<string, string>>;
  /** The request's execution span, when tracing. */
  trace?: TraceContext;
}

export interface SourceAnswer extends UpstreamResponse {
  /** Set when a fresh stored answer served the call: which one (what the result cache checks, `ResponseCache.unchanged`). */
  read?: CachedRead;
  /** Set when a cached answer stood in for a failing upstream. */
  stale?: CacheResult['stale'];
}
