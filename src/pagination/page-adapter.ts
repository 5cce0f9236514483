/**
 * Page-number sources (`page`, `per_page`, a total). A cursor holds the
 * absolute index of its item, so it does not depend on the page size; the
 * gateway always asks for the largest page the source allows, and a window
 * that crosses a page boundary costs one more call.
 */
import { connection, pageSize, type Connection, type ForwardArgs } from './connection.ts';
import { encodeCursor, startAfter } from './cursor.ts';

export interface NumberedPage<T> {
  items: T[];
  total: number;
}

/** `page` counts from 1. */
export type FetchNumberedPage<T> = (page: number, perPage: number) => Promise<NumberedPage<T>>;

export async function pageNumberConnection<T>(args: ForwardArgs, print: string, perPage: number, fetchPage: FetchNumberedPage<T>): Promise<Connection<T>> {
  const first = pageSize(args.first);
  const start = startAfter(args.after, print);
  const nodes: T[] = [];
  let total = Infinity;
  let page = Math.floor(start / perPage) + 1;
  let skip = start % perPage;
  while (nodes.length < first && (page - 1) * perPage < total) {
    const answer = await fetchPage(page, perPage);
    total = answer.total;
    nodes.push(...answer.items.slice(skip, skip + first - nodes.length));
    if (answer.items.length < perPage) break;
    page += 1;
    skip = 0;
  }
  const edges = nodes.map((node, i) => ({ node, cursor: encodeCursor(print, start + i) }));
  const totalCount = Number.isFinite(total) ? total : null;
  return connection(edges, { hasNextPage: start + edges.length < (totalCount ?? 0), hasPreviousPage: start > 0, totalCount });
}

