/** The page fetcher for lists linked by RFC 8288 `Link` headers, fed by a source. */

import type { BoundSource } from '../sources/request-sources.ts';
import type { UpstreamRequest } from '../sources/upstream-request.ts';
import type { LinkedPageFetcher } from './chained-adapter.ts';
import { invalidCursor } from './cursor.ts';
import { parseLinkHeader } from './link-header.ts';

/**
 * `Link` headers: `ref` is a same-source path and query taken from a link;
 * links to another origin or outside the source's path prefix are ignored,
 * as if the source had sent none.
 */
export function linkHeaderPages<T>(
  source: BoundSource,
  first: UpstreamRequest,
  rowsOf: (body: unknown) => readonly T[],
): LinkedPageFetcher<T> {
  return async (ref) => {
    const request = ref === null ? first : source.requestFor(ref);
    if (!request) throw invalidCursor();
    const answer = await source.request(request);
    const links = parseLinkHeader(answer.headers.link);
    const follow = (rel: string) => {
      const target = links[rel];
      return target === undefined ? null : (source.linkRef(target, request) ?? null);
    };
    return { items: rowsOf(answer.body), next: follow('next'), prev: follow('prev'), last: follow('last') };
  };
}
