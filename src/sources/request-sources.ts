/**
 * The source clients as one GraphQL request sees them: every call carries
 * the request's id (for errors and logs), its deadline, its call budget and
 * the inbound headers each source is configured to forward; what each call
 * answered (a cache hit, a stale answer standing in, a stored answer read)
 * is written to the request's ledger (core/request-ledger.ts).
 */
import type { z } from 'zod';
import type { RequestLedger } from '../core/request-ledger.ts';
import type { UpstreamPath } from '../core/upstream-path.ts';
import { GraftError } from '../errors.ts';
import type { CallOptions, SourceAnswer, SourceClient } from './source-client.ts';
import type { UpstreamRequest } from './upstream-request.ts';

export interface BoundSource extends Pick<SourceClient, 'name' | 'maxPageSize' | 'linkRef' | 'requestFor'> {
  request(upstream: UpstreamRequest): Promise<SourceAnswer>;
  /** See `SourceClient.invalidate`. */
  invalidate(paths: readonly UpstreamPath[]): Promise<void>;
  /** Requests and narrows the body to `shape`; a mismatch is `UPSTREAM_BAD_RESPONSE`. */
  fetch<T extends z.ZodType>(shape: T, upstream: UpstreamRequest): Promise<z.output<T>>;
}

/**
 * Narrowed bodies, per decoded upstream body and shape. A body shared by
 * concurrent callers (in-flight sharing) or served from the cache is
 * narrowed once, not once per GraphQL request: the result is shared the same
 * way, so resolvers must treat it as read-only, as they treat the body.
 */
const narrowed = new WeakMap<object, Map<z.ZodType, unknown>>();

function narrow<T extends z.ZodType>(
  shape: T,
  body: unknown,
): { success: true; data: z.output<T> } | { success: false; error: unknown } {
  if (body === null || typeof body !== 'object') return shape.safeParse(body);
  let byShape = narrowed.get(body);
  if (!byShape) narrowed.set(body, (byShape = new Map()));
  if (byShape.has(shape)) return { success: true, data: byShape.get(shape) as z.output<T> };
  const result = shape.safeParse(body);
  if (result.success) byShape.set(shape, result.data);
  return result;
}

/** `ledger`: the request's (core/request-ledger.ts), told of every call's answer; calls spend `options.budget`. */
export function bindSource(client: SourceClient, options: CallOptions, ledger: RequestLedger): BoundSource {
  const request = async (upstream: UpstreamRequest) => {
    let answer: SourceAnswer;
    try {
      answer = await client.request(upstream, options);
    } catch (error) {
      ledger.failed();
      throw error;
    }
    ledger.answered(client.name, answer);
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
      throw new GraftError('UPSTREAM_BAD_RESPONSE', `${client.name} sent a body of an unexpected shape.`, {
        source: client.name,
        status,
        requestId: options.requestId,
        cause: result.error,
      });
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
): (optionsFor: (name: Name) => CallOptions, ledger: RequestLedger) => Readonly<Record<Name, BoundSource>> {
  // Nothing but the sources' getters on the prototype: a source may be named anything (`bind`, `ledger`).
  class RequestSources {
    #bound: Map<Name, BoundSource> | undefined;
    readonly #optionsFor: (name: Name) => CallOptions;
    readonly #ledger: RequestLedger;
    constructor(optionsFor: (name: Name) => CallOptions, ledger: RequestLedger) {
      this.#optionsFor = optionsFor;
      this.#ledger = ledger;
    }
    static bind(sources: RequestSources, name: Name): BoundSource {
      sources.#bound ??= new Map();
      let source = sources.#bound.get(name);
      if (!source)
        sources.#bound.set(name, (source = bindSource(clients[name], sources.#optionsFor(name), sources.#ledger)));
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
  return (optionsFor, ledger) =>
    new RequestSources(optionsFor, ledger) as unknown as Readonly<Record<Name, BoundSource>>;
}
