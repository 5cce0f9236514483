/**
 * Connections over index-addressable lists: offset/limit and page-number
 * APIs. A cursor holds its item's index, so every combination of
 * `first`/`after`/`last`/`before` is a window [begin, end) of the list,
 * fetched with as few upstream calls as the source's largest page allows.
 * `last` without `before` needs the list's length: sources that report a
 * total pay one extra call to learn it; others refuse it.
 */
import { badUserInput } from '../errors.ts';
import {
  type Connection,
  type ConnectionArgs,
  connection,
  connectionCountedLater,
  edge,
  toSlice,
} from './connection.ts';
import type { CursorScope } from './cursor.ts';

export interface Range<T> {
  /** The items of [start, start + count) that exist; fewer means the list ended. */
  items: readonly T[];
  /** The list's length, when the source reports it. */
  total: number | null;
}

export interface RangeFetcher<T> {
  (start: number, count: number): Promise<Range<T>>;
  /** The list's length when a range does not carry it (a page-count API); null when it cannot be known. */
  total?: () => Promise<number | null>;
}

export interface IndexOptions {
  /** Named in the error when `last` cannot be served. */
  source: string;
  maxPageSize?: number;
}

/**
 * The first page of an index-addressable list when a batch call fetched it
 * for many lists at once: `rows` holds up to `first + 1` items from the
 * list's start. Cursors are indexes, so later pages resume through
 * `indexConnection` like any other; the batch carries no totals, so
 * `totalCount` is `total()`, called only when it is read.
 */
export function firstRangeFromBatch<T>(
  rows: readonly T[],
  first: number,
  cursors: CursorScope,
  total: () => Promise<number | null>,
): Connection<T> {
  const edges = rows.slice(0, first).map((node, i) => edge(node, cursors, i));
  return connectionCountedLater(edges, { hasNextPage: rows.length > first, hasPreviousPage: false }, total);
}

export async function indexConnection<T>(
  args: ConnectionArgs,
  cursors: CursorScope,
  fetchRange: RangeFetcher<T>,
  { source, maxPageSize }: IndexOptions,
): Promise<Connection<T>> {
  const slice = toSlice(args, maxPageSize);
  const lower = slice.after === null ? 0 : cursors.decodeIndex(slice.after) + 1;
  const upper = slice.before === null ? null : cursors.decodeIndex(slice.before);
  // An empty window still reports the total, when the source has one.
  const totalOnly = async () => (await fetchRange(Math.max(0, lower - 1), 1)).total;
  if (upper !== null && upper < lower)
    return connection([], { hasNextPage: false, hasPreviousPage: false, totalCount: await totalOnly() }); // cursors cross

  const edgesFrom = (begin: number, items: T[]) => items.map((node, i) => edge(node, cursors, begin + i));

  if (slice.direction === 'forward') {
    const limit = upper === null ? slice.count : Math.min(slice.count, upper - lower);
    const { items, total } = limit === 0 ? { items: [], total: await totalOnly() } : await fetchRange(lower, limit);
    const taken = items.slice(0, limit);
    const end = lower + taken.length;
    let hasNextPage: boolean;
    if (total !== null) hasNextPage = end < total;
    else if (upper !== null)
      hasNextPage = true; // the `before` item itself follows
    else if (taken.length < limit) hasNextPage = false;
    else hasNextPage = (await fetchRange(end, 1)).items.length > 0; // no total: look one item ahead
    return connection(edgesFrom(lower, taken), { hasNextPage, hasPreviousPage: lower > 0, totalCount: total });
  }

  let end = upper;
  let total: number | null = null;
  if (end === null) {
    total = fetchRange.total ? await fetchRange.total() : (await fetchRange(0, 1)).total;
    if (total === null)
      throw badUserInput(
        `${source} does not report how long the list is: page backward from a cursor (last with before).`,
      );
    end = total;
  }
  const begin = Math.max(lower, end - slice.count);
  const answer =
    begin < end ? await fetchRange(begin, end - begin) : { items: [], total: total ?? (await totalOnly()) };
  total = answer.total ?? total;
  const items = answer.items.slice(0, end - begin);
  return connection(edgesFrom(begin, items), {
    hasNextPage: total !== null ? begin + items.length < total : upper !== null,
    hasPreviousPage: begin > 0,
    totalCount: total,
  });
}

/** offset/limit APIs: one call per `maxLimit` items of the window. */
export function offsetRanges<T>(
  fetchOffset: (offset: number, limit: number) => Promise<Range<T>>,
  maxLimit: number,
): RangeFetcher<T> {
  return async (start, count) => {
    const items: T[] = [];
    let total: number | null = null;
    for (let offset = start; offset < start + count; offset += maxLimit) {
      const answer = await fetchOffset(offset, Math.min(maxLimit, start + count - offset));
      total = answer.total;
      items.push(...answer.items);
      if (answer.items.length < Math.min(maxLimit, start + count - offset)) break;
    }
    return { items: total === null ? items : items.slice(0, Math.max(0, total - start)), total };
  };
}

/** An answer for one page; `page` is the page the source says it sent. */
export interface NumberedPage<T> extends Range<T> {
  page: number;
  /** How many pages the list has, for sources that say that instead of a total. */
  pages?: number | null;
}

/**
 * page-number APIs, always at the largest page size, so pages line up the
 * same way for every window: a window costs one call per page it touches.
 * A page past the end that the source answers with another page (some APIs
 * clamp to the last one) counts as empty, never as a repeat: known by the
 * page the answer names, or, when it names none, by its total or page count.
 */
export function pageRanges<T>(
  fetchPage: (page: number, perPage: number) => Promise<NumberedPage<T>>,
  perPage: number,
): RangeFetcher<T> {
  /** The exact total of a page-count answer: the full pages before the last, plus the last one's items. */
  const totalOf = async (answer: NumberedPage<T>): Promise<number | null> => {
    if (answer.total !== null || answer.pages === null || answer.pages === undefined) return answer.total;
    if (answer.pages <= 1) return answer.items.length;
    const last = await fetchPage(answer.pages, perPage);
    return (answer.pages - 1) * perPage + (last.page === answer.pages ? last.items.length : 0);
  };
  const fetchRange: RangeFetcher<T> = async (start, count) => {
    const items: T[] = [];
    let total: number | null = null;
    for (let page = Math.floor(start / perPage) + 1; (page - 1) * perPage < start + count; page++) {
      if (total !== null && (page - 1) * perPage >= total) break;
      const answer = await fetchPage(page, perPage);
      total = answer.total ?? (answer.pages === page ? (page - 1) * perPage + answer.items.length : null);
      const pageStart = (page - 1) * perPage;
      // A page that cannot exist by the answer's own total or page count was clamped, even when the answer does not say which page it is.
      const exists =
        answer.page === page &&
        (total === null || pageStart < total) &&
        (answer.pages === null || answer.pages === undefined || page <= answer.pages);
      const rows = exists ? answer.items : [];
      items.push(...rows.slice(Math.max(0, start - pageStart), start + count - pageStart));
      if (rows.length < perPage || (answer.pages !== null && answer.pages !== undefined && page >= answer.pages)) break;
    }
    return { items, total };
  };
  fetchRange.total = async () => totalOf(await fetchPage(1, perPage));
  return fetchRange;
}
