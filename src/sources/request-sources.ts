/**
 * The source clients as one GraphQL request sees them: every call carries
 * the request's id (for errors and logs), its abort signal, and the inbound
 * headers each source is configured to forward; stale answers served for it
 * are reported back so the response can say so, and cache hits are counted
 * for the request log.
 */
import type { z } from 'zod';
import type { CachedRead } from '../cache/response-cache.ts';
import type { UpstreamPath } from '../core/upstream-path.ts';
import { type ErrorCode, GraftError } from '../errors.ts';
import type { CallOptions, SourceAnswer, SourceClient } from './source-client.ts';
import type { UpstreamRequest } from './upstream-request.ts';

export interface BoundSource extends Pick<SourceClient, 'name' | 'maxPageSize' | 'linkRef' | 'requestFor'> {
  request(upstream: UpstreamRequest): Promise<SourceAnswer>;
  /** See `SourceClient.invalidate`. */
  invalidate(paths: readonly UpstreamPath[]): Promise<void>;
  /** Requests and narrows the body to `shape`; a mismatch is `UPSTREAM_BAD_RESPONSE`. */
  fetch<T extends z.ZodType>(shape: T, upstream: UpstreamRequest): Promise<z.output<T>>;
}

/** What one GraphQL request's source answers came from, beyond the calls it made. */
export interface RequestTally {
  /** Cached answers that stood in for failing sources, reported in `extensions.stale`. */
  readonly staleNotices: StaleNotice[];
  /** Answers served fresh from the response cache. */
  cacheHits: number;
  /** The stored answers that served every call so far; undefined once a call was not served so (it failed, or was made). */
  reads: readonly CachedRead[] | undefined;
}

/** Every tally's reads until its first: most requests make none, and need no array of their own. */
const NO_READS: readonly CachedRead[] = Object.freeze([]);

export const newTally = (): RequestTally => ({ staleNotices: [], cacheHits: 0, reads: NO_READS });

/** A cached answer that stood in for a failing source during this request. */
export interface StaleNotice {
  source: string;
  ageSeconds: number;
  /** Why the source could not answer. */
  reason: ErrorCode;
}

/**
 * Narrowed bodies, per decoded upstream body and shape. A body shared by
 * concurrent callers (in-flight sharing) or served from the cache is
 * narrowed once, not once per GraphQL request: the result is shared the same
 * way, so resolvers must treat it as read-only, as they treat the body.
 */
const narrowed = new WeakMap<object, Map<z.ZodType, unknown>>();

function narrow<T extends z.ZodType>(shape: T, body: unknown): { success: true; data: z.output<T> } | { success: false; error: unknown } {
  if (body === null || typeof body !== 'object') return shape.safeParse(body);
  let byShape = narrowed.get(body);
  if (!byShape) narrowed.set(body, (byShape = new Map()));
  if (byShape.has(shape)) return { success: true, data: byShape.get(shape) as z.output<T> };
  const result = shape.safeParse(body);
  if (result.success) byShape.set(shape, result.data);
  return result;
}

export function bindSource(client: SourceClient, options: CallOptions, tally: RequestTally): BoundSource {
  const request = async (upstream: UpstreamRequest) => {
    let answer: SourceAnswer;
    try {
      answer = await client.request(upstream, options);
    } catch (error) {
      tally.reads = undefined;
      throw error;
    }
    tally.reads &&= answer.read ? [...tally.reads, answer.read] : undefined;
    if (answer.read) tally.cacheHits += 1;
    if (answer.stale) tally.staleNotices.push({ source: client.name, ageSeconds: Math.round(answer.stale.ageMs / 1000), reason: answer.stale.code });
    return answer;
  };
  return {
    name: client.name,
    maxPageSize: client.maxPageSize,
    request,
    invalidate: (paths) => client.invalidate(paths),
    linkRef: (link, answered) => client.linkRef(link, answered),
    requestFor: (ref) => client.requestFor(ref),
    async fetch(shape, upstream) {
      const { body, status } = await request(upstream);
      const result = narrow(shape, body);
      if (result.success) return result.data;
      throw new GraftError('UPSTREAM_BAD_RESPONSE', `${client.name} sent a body of an unexpected shape.`, { source: client.name, status, requestId: options.requestId, cause: result.error });
    },
  };
}

/**
 * Makes each request's `context.sources`: every source bound with the
 * request's call options when a resolver first uses it. A request that
 * calls no source (a constant, answers shared with others in flight) binds
 * none; the getters live on one prototype per gateway, not on each request.
 */
export function sourceBinder<Name extends string>(
  clients: Readonly<Record<Name, SourceClient>>,
): (optionsFor: (name: Name) => CallOptions, tally: RequestTally) => Readonly<Record<Name, BoundSource>> {
  // Nothing but the sources' getters on the prototype: a source may be named anything (`bind`, `tally`).
  class RequestSources {
    #bound: Map<Name, BoundSource> | undefined;
    readonly #optionsFor: (name: Name) => CallOptions;
    readonly #tally: RequestTally;
    constructor(optionsFor: (name: Name) => CallOptions, tally: RequestTally) {
      this.#optionsFor = optionsFor;
      this.#tally = tally;
    }
    static bind(sources: RequestSources, name: Name): BoundSource {
      sources.#bound ??= new Map();
      let source = sources.#bound.get(name);
      if (!source) sources.#bound.set(name, (source = bindSource(clients[name], sources.#optionsFor(name), sources.#tally)));
      return source;
    }
  }
  for (const name of Object.keys(clients) as Name[])
    Object.defineProperty(RequestSources.prototype, name, {
      enumerable: true,
      get(this: RequestSources) {
        return RequestSources.bind(this, name);
      },
    });
  return (optionsFor, tally) => new RequestSources(optionsFor, tally) as unknown as Readonly<Record<Name, BoundSource>>;
}
