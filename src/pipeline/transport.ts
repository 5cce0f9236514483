/**
 * What the pipeline knows of the transport a request came by (the direct
 * JSON transport, Yoga's, a WebSocket, `gateway.fetch`), and what it hands
 * the gateway to build the request's context from.
 */
import type { Identity } from '../auth/token-verifier.ts';
import type { Deadline } from '../core/deadline.ts';
import type { RequestLedger } from '../core/request-ledger.ts';
import type { TraceContext } from '../telemetry/trace.ts';
import type { ClientIdentityParts } from './client-rate-limit.ts';

export interface Transport extends ClientIdentityParts {
  method: string;
  requestId: string;
  /** Fires when the client goes away. */
  signal: AbortSignal;
  /** Calls `listener` once when the client goes away before its answer; returns its removal. Cheaper than `signal` where the transport has it. */
  onLeave?(listener: () => void): () => void;
  /** When the transport got the request (`performance.now()`), for its reported duration. @default when the pipeline got it */
  startedAt?: number;
  /** The transport can send a stream of results (SSE, a WebSocket): subscriptions are served. */
  streams?: boolean;
  /** What `limits.maxSubscriptionsPerConnection` counts by: the WebSocket, or the client's address over SSE. */
  connection?: unknown;
  /** The request URL's query string, where a token must never be (the access step refuses one). */
  query?: string;
}

/** What the pipeline made for one execution: its deadline, the request's ledger, its trace. */
export interface RequestScope {
  deadline: Deadline;
  ledger: RequestLedger;
  trace?: TraceContext;
  /** Who asked, when the caller's token verified. */
  identity?: Identity;
}

/** Builds an execution's context (the resolvers' `context`) from what the pipeline made for it. */
export type ContextFactory<Context> = (transport: Transport, scope: RequestScope) => Context;

/** `transport.onLeave`, or the same through its signal. */
export function onClientLeaves(transport: Transport, listener: () => void): () => void {
  if (transport.onLeave) return transport.onLeave(listener);
  const { signal } = transport;
  if (signal.aborted) {
    listener();
    return () => {};
  }
  signal.addEventListener('abort', listener, { once: true });
  return () => signal.removeEventListener('abort', listener);
}
