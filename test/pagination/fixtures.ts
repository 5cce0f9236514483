/** In-memory REST lists in each pagination style, counting the calls made to them. */
import type { LinkedPage, LinkedPageFetcher } from '../../src/pagination/chained-adapter.ts';
import { offsetRanges, pageRanges, type RangeFetcher } from '../../src/pagination/index-adapter.ts';

export const LETTERS = ['A', 'B', 'C', 'D', 'E'];

export interface Counted<F> {
  fetch: F;
  calls: unknown[];
}

/** offset/limit over `items`, at most `maxLimit` per call, with or without a total; `clamp` answers an offset past the end with the last items. */
export function offsetList<T>(
  items: readonly T[],
  maxLimit: number,
  { withTotal = true, clamp = false } = {},
): Counted<RangeFetcher<T>> {
  const calls: unknown[] = [];
  const fetch = offsetRanges(async (offset, limit) => {
    calls.push([offset, limit]);
    if (limit > maxLimit) throw new Error(`asked for ${limit} > ${maxLimit}`);
    const from = clamp && offset >= items.length ? Math.max(0, items.length - limit) : offset;
    return { items: items.slice(from, from + limit), total: withTotal ? items.length : null };
  }, maxLimit);
  return { fetch, calls };
}

/**
 * page/per_page over `items`; `clamp` answers pages past the end with the
 * last page, as some APIs do (json-server, many Rails and Django
 * paginators), and `reportsPage: false` leaves out which page was sent, as
 * most of them do.
 */
export function pagedList<T>(
  items: readonly T[],
  perPage: number,
  { clamp = false, reportsPage = true } = {},
): Counted<RangeFetcher<T>> {
  const calls: unknown[] = [];
  const fetch = pageRanges(async (page, size) => {
    calls.push([page, size]);
    const lastPage = Math.max(1, Math.ceil(items.length / size));
    const served = clamp ? Math.min(page, lastPage) : page;
    return {
      items: items.slice((served - 1) * size, served * size),
      total: items.length,
      page: reportsPage ? served : page,
    };
  }, perPage);
  return { fetch, calls };
}

/** Pages of `pageSize` linked by opaque cursors (`c<offset>`), optionally without back links or a last link. */
export function linkedList<T>(
  items: readonly T[],
  pageSize: number,
  { back = true, lastLink = false } = {},
): Counted<LinkedPageFetcher<T>> {
  const calls: unknown[] = [];
  const fetch = async (ref: string | null): Promise<LinkedPage<T>> => {
    calls.push(ref);
    const start = ref === null ? 0 : Number(ref.slice(1));
    const end = start + pageSize;
    const lastStart = Math.max(0, Math.floor((items.length - 1) / pageSize) * pageSize);
    return {
      items: items.slice(start, end),
      next: end < items.length ? `c${end}` : null,
      prev: back && start > 0 ? `c${start - pageSize}` : null,
      ...(lastLink && { last: `c${lastStart}` }),
    };
  };
  return { fetch, calls };
}
