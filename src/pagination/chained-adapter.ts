/**
 * Connections over lists whose pages link to each other: an opaque cursor in
 * the body (`next_cursor` / `prev_cursor`) or RFC 8288 `Link` headers
 * (`next`, `prev`, `last`). The gateway always asks for the source's largest
 * page, so pages line up the same way every time; an item's cursor holds the
 * upstream reference of its page and its index there.
 *
 * Such lists can be walked forward from a cursor (`first`, `after`) and, when
 * pages link back, backward from one (`last`, `before`); `last` alone needs a
 * link to the last page. Bounding one walk by a cursor on the other side
 * would need to compare two opaque upstream positions, which no such API
 * allows: those combinations are refused with BAD_USER_INPUT.
 */
import { badUserInput } from '../errors.ts';
import { type Connection, type ConnectionArgs, connection, edge, toSlice } from './connection.ts';
import { type CursorScope, invalidCursor } from './cursor.ts';

export interface LinkedPage<T> {
  items: readonly T[];
  /** Upstream references of the neighbouring pages; null where there is none or the source does not say. */
  next: string | null;
  prev: string | null;
  /** The last page, when the source links to it. */
  last?: string | null;
}

/** `ref` null: the first page. */
export type LinkedPageFetcher<T> = (ref: string | null) => Promise<LinkedPage<T>>;

export interface ChainedOptions {
  /** Named in errors when the source cannot serve a request. */
  source: string;
  /** The source links each page to the one before it. Without that it pages forward only. */
  linksBack: boolean;
  maxPageSize?: number;
}

/** An item's place: index `i` on the page with upstream reference `r` (null: the first page). */
interface Position {
  r: string | null;
  i: number;
}

interface Located<T> {
  node: T;
  at: Position;
}

export async function chainedConnection<T>(
  args: ConnectionArgs,
  cursors: CursorScope,
  fetchPage: LinkedPageFetcher<T>,
  { source, linksBack, maxPageSize }: ChainedOptions,
): Promise<Connection<T>> {
  const slice = toSlice(args, maxPageSize);
  const toEdges = (located: Array<Located<T>>) => located.map(({ node, at }) => edge(node, cursors, at));

  if (slice.direction === 'forward') {
    if (slice.before !== null)
      throw badUserInput(`${source} pages by links: use first with after, or last with before.`);
    const start = slice.after === null ? { r: null, i: -1 } : toPosition(cursors.decode(slice.after));
    const taken: Array<Located<T>> = [];
    let ref = start.r;
    let page = await fetchPage(ref);
    let index = start.i + 1;
    for (;;) {
      while (index < page.items.length && taken.length < slice.count)
        taken.push({ node: page.items[index] as T, at: { r: ref, i: index++ } });
      if (taken.length === slice.count || page.next === null) break;
      ref = page.next;
      page = await fetchPage(ref);
      index = 0;
    }
    const hasNextPage = index < page.items.length || page.next !== null;
    return connection(toEdges(taken), { hasNextPage, hasPreviousPage: slice.after !== null });
  }

  if (!linksBack) throw badUserInput(`${source} pages forward only: use first and after.`);
  if (slice.after !== null) throw badUserInput(`${source} pages by links: use first with after, or last with before.`);
  let ref: string | null;
  let page: LinkedPage<T>;
  let index: number;
  if (slice.before !== null) {
    const end = toPosition(cursors.decode(slice.before));
    ref = end.r;
    page = await fetchPage(ref);
    index = Math.min(end.i, page.items.length);
  } else {
    const first = await fetchPage(null);
    if (first.last === undefined || first.last === null) {
      if (first.next !== null)
        throw badUserInput(`${source} does not link to the last page: page backward from a cursor (last with before).`);
      [ref, page] = [null, first];
    } else {
      [ref, page] = [first.last, await fetchPage(first.last)];
    }
    index = page.items.length;
  }
  const taken: Array<Located<T>> = [];
  for (;;) {
    while (index > 0 && taken.length < slice.count) {
      index -= 1;
      taken.unshift({ node: page.items[index] as T, at: { r: ref, i: index } });
    }
    if (taken.length === slice.count || page.prev === null) break;
    ref = page.prev;
    page = await fetchPage(ref);
    index = page.items.length;
  }
  const hasPreviousPage = index > 0 || page.prev !== null;
  return connection(toEdges(taken), { hasNextPage: slice.before !== null, hasPreviousPage });
}

function toPosition(position: unknown): Position {
  const { r, i } = (position ?? {}) as { r?: unknown; i?: unknown };
  if ((r !== null && typeof r !== 'string') || !Number.isSafeInteger(i) || (i as number) < -1) throw invalidCursor();
  return { r, i: i as number };
}

/**
 * The first page of a linked list when a batch call fetched it for many
 * lists at once: `rows` holds up to `first + 1` items from the list's start.
 * Its cursors resume through `chainedConnection` like any other.
 */
export function firstPageFromBatch<T>(rows: readonly T[], first: number, cursors: CursorScope): Connection<T> {
  const edges = rows.slice(0, first).map((node, i) => edge(node, cursors, { r: null, i } satisfies Position));
  return connection(edges, { hasNextPage: rows.length > first, hasPreviousPage: false });
}
