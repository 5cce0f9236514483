/**
 * Sources that page with an opaque cursor in the body (`next_cursor`). Such a
 * cursor marks only page starts, so the gateway's cursor for an item holds the
 * upstream cursor of the page it came from and how many items of that page
 * precede the next one: resuming re-asks for that page and skips them.
 */
import { connection, pageSize, type Connection, type ForwardArgs } from './connection.ts';
import { decodeCursor, encodeCursor, invalidCursor } from './cursor.ts';

export interface CursorPage<T> {
  items: T[];
  /** Null on the last page. */
  next: string | null;
}

/** `cursor` null means the first page. */
export type FetchCursorPage<T> = (cursor: string | null, limit: number) => Promise<CursorPage<T>>;

/** Resume point: the page that starts at upstream cursor `u`, after skipping `s` of its items. */
interface Position {
  u: string | null;
  s: number;
}

export async function cursorConnection<T>(args: ForwardArgs, print: string, maxLimit: number, fetchPage: FetchCursorPage<T>): Promise<Connection<T>> {
  const first = pageSize(args.first);
  let { u: upstream, s: skip } = args.after ? toPosition(decodeCursor(args.after, print)) : { u: null, s: 0 };
  const startedMidList = args.after !== undefined && args.after !== null;
  const edges: Array<{ node: T; cursor: string }> = [];
  let hasNextPage = false;
  for (;;) {
    // One item more than needed tells whether a next page exists without another call.
    const limit = Math.min(maxLimit, skip + first - edges.length + 1);
    const page = await fetchPage(upstream, limit);
    const fresh = page.items.slice(skip);
    for (const [i, node] of fresh.entries()) {
      if (edges.length === first) {
        hasNextPage = true;
        break;
      }
      const after = skip + i + 1;
      const resume: Position = after === page.items.length && page.next !== null ? { u: page.next, s: 0 } : { u: upstream, s: after };
      edges.push({ node, cursor: encodeCursor(print, resume) });
    }
    if (hasNextPage || page.next === null || page.items.length === 0) break;
    if (edges.length === first) {
      hasNextPage = true;
      break;
    }
    upstream = page.next;
    skip = 0;
  }
  return connection(edges, { hasNextPage, hasPreviousPage: startedMidList });
}

/**
 * The first page of a cursor-paged list when a batch call fetched it for many
 * lists at once: `rows` holds up to `first + 1` items from the list's start.
 * Its cursors resume through `cursorConnection` like any other.
 */
export function firstPageFromBatch<T>(rows: readonly T[], args: ForwardArgs, print: string): Connection<T> {
  const first = pageSize(args.first);
  const edges = rows.slice(0, first).map((node, i) => ({ node, cursor: encodeCursor(print, { u: null, s: i + 1 } satisfies Position) }));
  return connection(edges, { hasNextPage: rows.length > first, hasPreviousPage: false });
}

function toPosition(position: unknown): Position {
  const { u, s } = (position ?? {}) as { u?: unknown; s?: unknown };
  if ((u !== null && typeof u !== 'string') || !Number.isSafeInteger(s) || (s as number) < 0) throw invalidCursor();
  return { u, s: s as number };
}
