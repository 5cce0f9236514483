/**
 * A request as the pipeline carries it from step to step: its ledger
 * (core/request-ledger.ts: what it spent and where its answers came from),
 * its trace, and what the sharing step decided for it. Its report (what
 * the request log, metrics and the trace's last span say) is read from it
 * once, at the end.
 */

import type { ExecutionResult } from 'graphql';
import type { Identity } from '../auth/token-verifier.ts';
import { RequestLedger } from '../core/request-ledger.ts';
import type { RequestReport } from '../telemetry/observer.ts';
import type { RequestTrace } from '../telemetry/trace.ts';
import { statusOf } from './client-result.ts';

/** A query execution others may join while it is in flight (server.dedupe). */
export interface SharedExecution {
  answer: Promise<ExecutionResult>;
  /** Someone joined: its answer is serialised once, for all of them. */
  joined: boolean;
}

export class PipelineRequest extends RequestLedger {
  /** The execution in flight it started or joined, when its query may be shared. */
  execution: SharedExecution | undefined = undefined;
  /** The key its result is cached under, when its query's results may be cached. */
  cacheAs: string | undefined = undefined;
  /** Its answer's serializer, when it has no errors and its operation was compiled with one for its shape (compile-operation.ts). */
  write: ((result: object) => string) | undefined = undefined;
  /** Who asked, when the caller's token verified (auth in the config). */
  identity: Identity | undefined = undefined;

  constructor(
    callLimit: number,
    readonly trace?: RequestTrace,
  ) {
    super(callLimit);
  }
}

const NO_CODES: readonly string[] = [];

export function reportOf(
  requestId: string,
  result: ExecutionResult,
  request: RequestLedger & { identity?: Identity },
  startedAt: number,
): RequestReport {
  const codes = result.errors
    ? [...new Set(result.errors.map((error) => String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR')))]
    : NO_CODES;
  return {
    requestId,
    operationName: request.operationName,
    operationType: request.operationType,
    durationMs: performance.now() - startedAt,
    status: result.errors ? statusOf(result, false).status : 200,
    codes,
    upstreamCalls: request.upstreamCalls,
    cacheHits: request.cacheHits,
    staleAnswers: request.staleCount,
    shared: request.shared,
    fromResultCache: request.fromResultCache,
    subject: request.identity?.subject,
  };
}
