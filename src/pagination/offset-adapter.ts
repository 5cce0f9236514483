/**
 * offset/limit sources that report a total. A cursor holds the index of its
 * item; the page after it starts at index + 1.
 */
import { connection, pageSize, type Connection, type ForwardArgs } from './connection.ts';
import { encodeCursor, startAfter } from './cursor.ts';

export interface OffsetPage<T> {
  items: T[];
  total: number;
}

export type FetchOffsetPage<T> = (offset: number, limit: number) => Promise<OffsetPage<T>>;

export async function offsetConnection<T>(args: ForwardArgs, print: string, fetchPage: FetchOffsetPage<T>): Promise<Connection<T>> {
  const first = pageSize(args.first);
  const start = startAfter(args.after, print);
  const { items, total } = await fetchPage(start, first);
  const edges = items.slice(0, first).map((node, i) => ({ node, cursor: encodeCursor(print, start + i) }));
  return connection(edges, { hasNextPage: start + edges.length < total, hasPreviousPage: start > 0, totalCount: total });
}

