/**
 * The source clients as one GraphQL request sees them: every call carries
 * the request's id (for errors and logs) and its abort signal (a client that
 * goes away cancels its upstream calls).
 */
import type { z } from 'zod';
import { GraftError } from '../errors.ts';
import type { CallOptions, SourceClient, UpstreamRequest, UpstreamResponse } from './source-client.ts';

export interface BoundSource {
  request(upstream: UpstreamRequest): Promise<UpstreamResponse>;
  /** Requests and narrows the body to `shape`; a mismatch is `UPSTREAM_BAD_RESPONSE`. */
  fetch<T extends z.ZodType>(shape: T, upstream: UpstreamRequest): Promise<z.output<T>>;
}

export function bindSource(client: SourceClient, options: CallOptions): BoundSource {
  const request = (upstream: UpstreamRequest) => client.request(upstream, options);
  return {
    request,
    async fetch(shape, upstream) {
      const { body, status } = await request(upstream);
      const result = shape.safeParse(body);
      if (result.success) return result.data;
      throw new GraftError('UPSTREAM_BAD_RESPONSE', `${client.name} sent a body of an unexpected shape.`, { source: client.name, status, requestId: options.requestId, cause: result.error });
    },
  };
}

export function bindSources<Name extends string>(clients: Readonly<Record<Name, SourceClient>>, options: CallOptions): Readonly<Record<Name, BoundSource>> {
  const bound = {} as Record<Name, BoundSource>;
  for (const name of Object.keys(clients) as Name[]) bound[name] = bindSource(clients[name], options);
  return bound;
}
