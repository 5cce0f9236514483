/** The pagination adapters over in-memory pages, counting the upstream calls they make. */
import { describe, expect, it } from 'vitest';
import type { Connection } from '../../src/pagination/connection.ts';
import { encodeCursor, fingerprint } from '../../src/pagination/cursor.ts';
import { cursorConnection, type FetchCursorPage } from '../../src/pagination/cursor-adapter.ts';
import { offsetConnection } from '../../src/pagination/offset-adapter.ts';
import { pageNumberConnection } from '../../src/pagination/page-adapter.ts';

const ITEMS = Array.from({ length: 57 }, (_, i) => i + 1);
const print = fingerprint('test');

/** A body-cursor API over ITEMS with its own maximum page size. */
function cursorApi(maxLimit: number) {
  const calls: Array<[string | null, number]> = [];
  const fetchPage: FetchCursorPage<number> = async (cursor, limit) => {
    calls.push([cursor, limit]);
    expect(limit).toBeLessThanOrEqual(maxLimit);
    const start = cursor === null ? 0 : Number(cursor.slice(1));
    const end = start + limit;
    return { items: ITEMS.slice(start, end), next: end < ITEMS.length ? `c${end}` : null };
  };
  return { calls, fetchPage };
}

const nodes = (connection: Connection<number>) => connection.edges.map((edge) => edge.node);

async function walk(next: (after: string | null) => Promise<Connection<number>>): Promise<number[]> {
  const seen: number[] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const page = await next(after);
    seen.push(...nodes(page));
    if (!page.pageInfo.hasNextPage) return seen;
    after = page.pageInfo.endCursor;
  }
  throw new Error('walk did not terminate');
}

describe('cursorConnection', () => {
  it('respects first', async () => {
    const api = cursorApi(100);
    const page = await cursorConnection({ first: 5 }, print, 100, api.fetchPage);
    expect(nodes(page)).toEqual([1, 2, 3, 4, 5]);
    expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(api.calls).toEqual([[null, 6]]);
  });

  it('respects first and after, from any edge, not just the last', async () => {
    const api = cursorApi(100);
    const page = await cursorConnection({ first: 5 }, print, 100, api.fetchPage);
    const fromMiddle = await cursorConnection({ first: 3, after: page.edges[1]!.cursor }, print, 100, api.fetchPage);
    expect(nodes(fromMiddle)).toEqual([3, 4, 5]);
    expect(fromMiddle.pageInfo.hasPreviousPage).toBe(true);
  });

  it('assembles a window from as many upstream pages as needed', async () => {
    const api = cursorApi(10);
    const page = await cursorConnection({ first: 25 }, print, 10, api.fetchPage);
    expect(nodes(page)).toEqual(ITEMS.slice(0, 25));
    expect(api.calls).toEqual([[null, 10], ['c10', 10], ['c20', 6]]);
  });

  it('visits every item exactly once over a full walk with a misaligned page size', async () => {
    const api = cursorApi(10);
    expect(await walk((after) => cursorConnection({ first: 7, after }, print, 10, api.fetchPage))).toEqual(ITEMS);
  });

  it('returns no elements and no next page after the last item', async () => {
    const api = cursorApi(100);
    const all = await cursorConnection({ first: 100 }, print, 100, api.fetchPage);
    expect(all.pageInfo.hasNextPage).toBe(false);
    const beyond = await cursorConnection({ first: 5, after: all.pageInfo.endCursor }, print, 100, api.fetchPage);
    expect(beyond.edges).toEqual([]);
    expect(beyond.pageInfo.hasNextPage).toBe(false);
  });

  it('throws INVALID_CURSOR for a cursor of another connection, before any call', async () => {
    const api = cursorApi(100);
    const foreign = encodeCursor(fingerprint('other'), { u: null, s: 1 });
    await expect(cursorConnection({ first: 5, after: foreign }, print, 100, api.fetchPage)).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
    await expect(cursorConnection({ first: 5, after: encodeCursor(print, { u: 5, s: -1 }) }, print, 100, api.fetchPage)).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
    expect(api.calls).toEqual([]);
  });

  it.each([0, -1, 101, 1.5])('throws BAD_USER_INPUT if first is %s', async (first) => {
    await expect(cursorConnection({ first }, print, 100, cursorApi(100).fetchPage)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});

describe('offsetConnection', () => {
  const fetchPage = async (offset: number, limit: number) => ({ items: ITEMS.slice(offset, offset + limit), total: ITEMS.length });

  it('respects first and after with totalCount', async () => {
    const page = await offsetConnection({ first: 10 }, print, fetchPage);
    const next = await offsetConnection({ first: 10, after: page.edges[9]!.cursor }, print, fetchPage);
    expect(nodes(next)).toEqual(ITEMS.slice(10, 20));
    expect(next.totalCount).toBe(57);
    expect(next.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
  });

  it('walks everything once', async () => {
    expect(await walk((after) => offsetConnection({ first: 20, after }, print, fetchPage))).toEqual(ITEMS);
  });
});

describe('pageNumberConnection', () => {
  function pageApi() {
    const calls: Array<[number, number]> = [];
    const fetchPage = async (page: number, perPage: number) => {
      calls.push([page, perPage]);
      return { items: ITEMS.slice((page - 1) * perPage, page * perPage), total: ITEMS.length };
    };
    return { calls, fetchPage };
  }

  it('asks for the largest page and crosses a page boundary with one more call', async () => {
    const api = pageApi();
    const first = await pageNumberConnection({ first: 8 }, print, 10, api.fetchPage);
    const next = await pageNumberConnection({ first: 8, after: first.pageInfo.endCursor }, print, 10, api.fetchPage);
    expect(nodes(next)).toEqual(ITEMS.slice(8, 16));
    expect(api.calls).toEqual([[1, 10], [1, 10], [2, 10]]);
    expect(next.totalCount).toBe(57);
  });

  it('walks everything once and stops', async () => {
    const api = pageApi();
    expect(await walk((after) => pageNumberConnection({ first: 9, after }, print, 10, api.fetchPage))).toEqual(ITEMS);
  });
});
