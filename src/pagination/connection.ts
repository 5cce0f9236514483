/**
 * Relay Cursor Connections: the arguments (`first`/`after`/`last`/`before`),
 * their rules, and the result shape. Adapters for each REST pagination style
 * turn a validated `Slice` request into edges; `pageInfo` says exactly
 * whether items exist before the first edge and after the last.
 */
import { badUserInput, type GraftError } from '../errors.ts';
import type { CursorScope } from './cursor.ts';

export interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Connection<T> {
  edges: Array<Edge<T>>;
  pageInfo: PageInfo;
  /** Null when the source does not report a total; a promise when it is fetched only if asked for. */
  totalCount: number | null | Promise<number | null>;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/**
 * What to take from the list bounded by `after` and `before`: its first
 * `count` items (forward), or its last `count` items (backward).
 */
export interface Slice {
  direction: 'forward' | 'backward';
  count: number;
  after: string | null;
  before: string | null;
}

export const withinPageSize = (value: number, maxPageSize = MAX_PAGE_SIZE): boolean =>
  Number.isInteger(value) && value >= 1 && value <= maxPageSize;

/** `first` or `last` out of range: the one message for it, whether found before execution (pipeline) or during. */
export function pageSizeRefusal(name: string, value: number, maxPageSize = MAX_PAGE_SIZE): GraftError {
  return badUserInput(`${name} must be between 1 and ${maxPageSize}, got ${value}.`);
}

/** Validates the arguments once: `first` and `last` within 1..max, not both; 20 forward when neither. */
export function toSlice(args: ConnectionArgs, maxPageSize = MAX_PAGE_SIZE): Slice {
  const { first, last } = args;
  const has = (value: number | null | undefined): value is number => value !== null && value !== undefined;
  if (has(first) && has(last)) throw badUserInput('first and last cannot be used together: page one way at a time.');
  const check = (name: string, value: number) => {
    if (!withinPageSize(value, maxPageSize)) throw pageSizeRefusal(name, value, maxPageSize);
    return value;
  };
  const after = args.after ?? null;
  const before = args.before ?? null;
  if (has(last)) return { direction: 'backward', count: check('last', last), after, before };
  return {
    direction: 'forward',
    count: has(first) ? check('first', first) : Math.min(DEFAULT_PAGE_SIZE, maxPageSize),
    after,
    before,
  };
}

export function connection<T>(
  edges: Array<Edge<T>>,
  info: { hasNextPage: boolean; hasPreviousPage: boolean; totalCount?: number | null },
): Connection<T> {
  return {
    edges,
    pageInfo: new LazyPageInfo(edges, info.hasNextPage, info.hasPreviousPage),
    totalCount: info.totalCount ?? null,
  };
}

/**
 * A connection whose total is fetched only if the query reads it (`total()`
 * is called once, when `totalCount` is first read).
 */
export function connectionCountedLater<T>(
  edges: Array<Edge<T>>,
  info: { hasNextPage: boolean; hasPreviousPage: boolean },
  total: () => Promise<number | null>,
): Connection<T> {
  return new ConnectionCountedLater(edges, new LazyPageInfo(edges, info.hasNextPage, info.hasPreviousPage), total);
}

/** The same edges and page info, with a total of this request's own: a page made once is shared, its total is not. */
export function countedLater<T>(page: Connection<T>, total: () => Promise<number | null>): Connection<T> {
  return new ConnectionCountedLater(page.edges, page.pageInfo, total);
}

/*
 * The lazy parts below are classes with getters on their prototype, not
 * object literals with getters: a literal's getter is a new closure per
 * object, which gives each object a map of its own, and a page of 50
 * articles with their comments made 200 of them per request (V8's sampling
 * heap profiler put them among the example graph's largest allocations). A copy made with `{ ...edge }` therefore has no cursor: read
 * it (`{ node: edge.node, cursor: edge.cursor }`).
 */

class ConnectionCountedLater<T> implements Connection<T> {
  #total: (() => Promise<number | null>) | Promise<number | null>;
  constructor(
    readonly edges: Array<Edge<T>>,
    readonly pageInfo: PageInfo,
    total: () => Promise<number | null>,
  ) {
    this.#total = total;
  }
  get totalCount(): Promise<number | null> {
    if (typeof this.#total === 'function') this.#total = this.#total();
    return this.#total;
  }
}

/** Start and end cursors are the edges' own, read (and so signed) only when asked for. */
class LazyPageInfo implements PageInfo {
  #edges: ReadonlyArray<Edge<unknown>>;
  constructor(
    edges: ReadonlyArray<Edge<unknown>>,
    readonly hasNextPage: boolean,
    readonly hasPreviousPage: boolean,
  ) {
    this.#edges = edges;
  }
  get startCursor(): string | null {
    return this.#edges[0]?.cursor ?? null;
  }
  get endCursor(): string | null {
    return this.#edges.at(-1)?.cursor ?? null;
  }
}

/**
 * An edge whose cursor is signed when first read: a query that selects no
 * cursor (most lists shown whole) costs no HMAC per item. Signing was a
 * third of the example graph's CPU, which selects none.
 */
class LazyEdge<T> implements Edge<T> {
  #cursor: string | undefined;
  #cursors: Pick<CursorScope, 'encode'>;
  #position: unknown;
  constructor(
    readonly node: T,
    cursors: Pick<CursorScope, 'encode'>,
    position: unknown,
  ) {
    this.#cursors = cursors;
    this.#position = position;
  }
  get cursor(): string {
    this.#cursor ??= this.#cursors.encode(this.#position);
    return this.#cursor;
  }
}

export function edge<T>(node: T, cursors: Pick<CursorScope, 'encode'>, position: unknown): Edge<T> {
  return new LazyEdge(node, cursors, position);
}
