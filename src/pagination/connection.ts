/** Relay Cursor Connections: argument rules and the result shape. */
import { badUserInput } from '../errors.ts';

export interface ForwardArgs {
  first?: number | null;
  after?: string | null;
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
  /** Null when the source does not report a total. */
  totalCount: number | null;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** `first` within 1..100, 20 when absent. */
export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) throw badUserInput(`first must be between 1 and ${MAX_PAGE_SIZE}, got ${first}.`);
  return first;
}

export function connection<T>(edges: Array<Edge<T>>, info: { hasNextPage: boolean; hasPreviousPage: boolean; totalCount?: number | null }): Connection<T> {
  return {
    edges,
    pageInfo: {
      hasNextPage: info.hasNextPage,
      hasPreviousPage: info.hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: info.totalCount ?? null,
  };
}
