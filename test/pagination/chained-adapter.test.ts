/** Linked-page connections (body cursors, Link headers), edge cases named as in graphql-relay-js. */
import { describe, expect, it } from 'vitest';
import { chainedConnection, firstPageFromBatch } from '../../src/pagination/chained-adapter.ts';
import type { Connection, ConnectionArgs } from '../../src/pagination/connection.ts';
import { createCursorCodec } from '../../src/pagination/cursor.ts';
import { parseLinkHeader } from '../../src/pagination/link-header.ts';
import { LETTERS, linkedList } from './fixtures.ts';

const codec = createCursorCodec();
const scope = codec.scope('letters');
const nodes = (connection: Connection<string>) => connection.edges.map((edge) => edge.node);
const run = (args: ConnectionArgs, list = linkedList(LETTERS, 2, { lastLink: true })) =>
  chainedConnection(args, scope, list.fetch, { source: 'letters', linksBack: true });

async function cursorOf(letter: string): Promise<string> {
  const all = await run({ first: 5 });
  return all.edges.find((edge) => edge.node === letter)!.cursor;
}

describe('chainedConnection', () => {
  it('returns all elements without filters', async () => {
    const page = await run({});
    expect(nodes(page)).toEqual(LETTERS);
    expect(page.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
    expect(page.totalCount).toBeNull();
  });

  it('respects a smaller first', async () => {
    const page = await run({ first: 2 });
    expect(nodes(page)).toEqual(['A', 'B']);
    expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
  });

  it('respects first and after, across pages', async () => {
    const page = await run({ first: 2, after: await cursorOf('B') });
    expect(nodes(page)).toEqual(['C', 'D']);
    expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
  });

  it('respects first and after with long first', async () => {
    const page = await run({ first: 10, after: await cursorOf('C') });
    expect(nodes(page)).toEqual(['D', 'E']);
    expect(page.pageInfo.hasNextPage).toBe(false);
  });

  it('respects a smaller last, starting from the last-page link', async () => {
    const list = linkedList(LETTERS, 2, { lastLink: true });
    const page = await run({ last: 3 }, list);
    expect(nodes(page)).toEqual(['C', 'D', 'E']);
    expect(page.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    expect(list.calls).toEqual([null, 'c4', 'c2']);
  });

  it('respects last and before', async () => {
    const page = await run({ last: 2, before: await cursorOf('D') });
    expect(nodes(page)).toEqual(['B', 'C']);
    expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
  });

  it('respects last and before with long last', async () => {
    const page = await run({ last: 10, before: await cursorOf('D') });
    expect(nodes(page)).toEqual(['A', 'B', 'C']);
    expect(page.pageInfo.hasPreviousPage).toBe(false);
  });

  it('returns no elements and no next page after the last element', async () => {
    const page = await run({ first: 2, after: await cursorOf('E') });
    expect(page.edges).toEqual([]);
    expect(page.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it('returns no elements and no previous page before the first element', async () => {
    const page = await run({ last: 2, before: await cursorOf('A') });
    expect(page.edges).toEqual([]);
    expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
  });

  it('assembles first: 25 over 10-per-page links from 3 calls', async () => {
    const hundred = Array.from({ length: 100 }, (_, i) => `n${i}`);
    const list = linkedList(hundred, 10);
    const page = await chainedConnection({ first: 25 }, scope, list.fetch, { source: 'numbers', linksBack: true });
    expect(nodes(page)).toEqual(hundred.slice(0, 25));
    expect(list.calls).toEqual([null, 'c10', 'c20']);
  });

  it('refuses backward paging from a source without back links, naming why, with 0 calls', async () => {
    const list = linkedList(LETTERS, 2, { back: false });
    const attempt = chainedConnection({ last: 2, before: await cursorOf('D') }, scope, list.fetch, {
      source: 'letters',
      linksBack: false,
    });
    await expect(attempt).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringContaining('forward only'),
    });
    expect(list.calls).toEqual([]);
  });

  it('refuses last without before when the source does not link to its last page', async () => {
    const list = linkedList(LETTERS, 2, { lastLink: false });
    await expect(
      chainedConnection({ last: 2 }, scope, list.fetch, { source: 'letters', linksBack: true }),
    ).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringContaining('last page'),
    });
  });

  it.each([[{ first: 2, before: 'x' }], [{ last: 2, after: 'x' }]])(
    'refuses to bound a walk by a cursor on the other side: %j',
    async (args) => {
      const list = linkedList(LETTERS, 2);
      const cursor = await cursorOf('C');
      const withCursor = Object.fromEntries(
        Object.entries(args).map(([key, value]) => [key, value === 'x' ? cursor : value]),
      );
      await expect(
        chainedConnection(withCursor, scope, list.fetch, { source: 'letters', linksBack: true }),
      ).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
      expect(list.calls).toEqual([]);
    },
  );

  it.each([
    scope.encode({ r: 7, i: 0 }),
    scope.encode({ r: null, i: -5 }),
    codec.scope('other').encode({ r: null, i: 0 }),
    createCursorCodec().scope('letters').encode({ r: null, i: 0 }),
    'garbage',
  ])('throws INVALID_CURSOR for %s with 0 calls', async (cursor) => {
    const list = linkedList(LETTERS, 2);
    await expect(
      chainedConnection({ first: 1, after: cursor }, scope, list.fetch, { source: 'letters', linksBack: true }),
    ).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
    expect(list.calls).toEqual([]);
  });

  it('resumes from cursors made for a batched first page', async () => {
    const first = firstPageFromBatch(LETTERS.slice(0, 3), 2, scope);
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(nodes(await run({ first: 2, after: first.pageInfo.endCursor }))).toEqual(['C', 'D']);
  });
});

describe('parseLinkHeader', () => {
  it('reads targets by relation, including several relations on one link', () => {
    expect(
      parseLinkHeader(
        '<https://a.example/x?page=2>; rel="next", <https://a.example/x?page=9>; rel="last prev", <b>; rel=first',
      ),
    ).toEqual({
      next: 'https://a.example/x?page=2',
      last: 'https://a.example/x?page=9',
      prev: 'https://a.example/x?page=9',
      first: 'b',
    });
  });

  it('ignores links without rel and malformed pieces, and survives hostile input quickly', () => {
    expect(parseLinkHeader('<x>; title="t", garbage, <y; rel="next"')).toEqual({});
    const started = performance.now();
    parseLinkHeader(`${'<'.repeat(50_000)}${';rel='.repeat(50_000)}`);
    expect(performance.now() - started).toBeLessThan(200);
  });
});
