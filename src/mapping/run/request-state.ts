/**
 * What one request keeps while its declared fields run: the batches by
 * request shape, the single-call limiters by field and the single reads by
 * request, held on the request's context under a symbol of our own.
 */
import { callLimiter } from '../../loaders/call-limiter.ts';
import type { BoundSource } from '../../sources/request-sources.ts';
import type { SourceAnswer } from '../../sources/source-client.ts';
import type { UpstreamRequest } from '../../sources/upstream-request.ts';
import type { Batch } from '../batch.ts';
import type { GatewayContext } from '../gateway-context.ts';
import type { RestPlan } from '../plan.ts';

/** Single calls one field may have in flight at once within one request. */
export const SINGLE_CALLS_PER_FIELD = 8;

/** One call to a bound source, with the field's error mapping applied (rest-runner.ts). */
export type SourceCall = (source: BoundSource, request: UpstreamRequest) => Promise<SourceAnswer>;

export interface RequestState {
  batches: Map<string, Batch>;
  limits: Map<string, ReturnType<typeof callLimiter>>;
  reads: Map<string, Promise<SourceAnswer>>;
}

const STATE = Symbol('graftql.mappingState');

export function stateOf(context: GatewayContext): RequestState {
  const holder = context as unknown as { [STATE]?: RequestState };
  holder[STATE] ??= { batches: new Map(), limits: new Map(), reads: new Map() };
  return holder[STATE];
}

/** What makes two single reads of one request the same call. */
export function readKey(plan: Pick<RestPlan, 'source'>, request: UpstreamRequest): string {
  return JSON.stringify([plan.source, request.path, request.query ?? {}, request.headers ?? {}]);
}

/**
 * A single read, once per request however many fields ask for it (as a
 * DataLoader would: the same author of twenty posts is one call), at most
 * SINGLE_CALLS_PER_FIELD at a time per field.
 */
export function sharedRead(
  state: RequestState,
  key: string,
  plan: RestPlan,
  source: BoundSource,
  request: UpstreamRequest,
  call: SourceCall,
): Promise<SourceAnswer> {
  let answer = state.reads.get(key);
  if (answer) return answer;
  let limit = state.limits.get(plan.coordinate);
  if (!limit) {
    limit = callLimiter(SINGLE_CALLS_PER_FIELD);
    state.limits.set(plan.coordinate, limit);
  }
  answer = limit(() => call(source, request));
  state.reads.set(key, answer);
  return answer;
}
