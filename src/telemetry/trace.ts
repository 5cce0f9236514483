/**
 * The tracing port: what the layers that make spans (the pipeline, the
 * source client) see of tracing. observability/tracing.ts implements it with
 * OpenTelemetry, loaded only when tracing is on.
 */
import type { Context } from '@opentelemetry/api';
import type { ErrorCode } from '../errors.ts';
import type { RequestReport } from './observer.ts';

export interface Tracing {
  /** The span of one GraphQL request, continuing the caller's trace where accepted. */
  request(header: (name: string) => string | undefined): RequestTrace;
  /** The span of one call to a source, child of the request's execution. */
  call(parent: TraceContext | undefined, source: string, method: string, route: string | undefined): CallTrace;
  /** A client span for one HTTP exchange, child of its call. */
  exchange(parent: TraceContext | undefined, details: ExchangeDetails): ExchangeTrace;
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>;
}

/** Where a child span hangs: opaque outside this module. */
export type TraceContext = Context;

export interface RequestTrace {
  /** A step of the request as a child span; a promise's span ends when it settles. */
  step<T>(name: 'graphql.parse' | 'graphql.validate' | 'graphql.execute', run: () => T): T;
  /** The context upstream calls hang from (the execution's, while it runs). */
  readonly context: TraceContext;
  end(report: RequestReport): void;
}

export interface CallTrace {
  readonly context: TraceContext;
  end(outcome: { cache?: 'hit' | 'miss' | 'coalesced' | 'stale'; error?: ErrorCode }): void;
}

export interface ExchangeDetails {
  source: string;
  method: string;
  route: string | undefined;
  /** The source's origin: only its host, port and scheme are recorded. */
  url: URL;
  /** 0 for the first exchange of a call, 1 for the first retry or backup, … */
  resend: number;
}

export interface ExchangeTrace {
  /** The `traceparent` (and `tracestate`) to send, when propagating. */
  headers(): Record<string, string>;
  end(outcome: { status?: number; error?: string }): void;
}
