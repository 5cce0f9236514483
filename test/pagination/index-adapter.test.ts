/** Index-addressed connections (offset and page number), edge cases named as in graphql-relay-js. */
import { describe, expect, it } from 'vitest';
import type { Connection, ConnectionArgs } from '../../src/pagination/connection.ts';
import { createCursorCodec } from '../../src/pagination/cursor.ts';
import { indexConnection, type RangeFetcher } from '../../src/pagination/index-adapter.ts';
import { LETTERS, offsetList, pagedList } from './fixtures.ts';

const codec = createCursorCodec();
const scope = codec.scope('letters');
const cursorAt = (index: number) => scope.encode(index);
const nodes = (connection: Connection<string>) => connection.edges.map((edge) => edge.node);

const styles: Array<[string, () => { fetch: RangeFetcher<string>; calls: unknown[] }]> = [
  ['offset with a total', () => offsetList(LETTERS, 2)],
  ['page number', () => pagedList(LETTERS, 2)],
  ['page number that clamps past the end', () => pagedList(LETTERS, 2, { clamp: true })],
  [
    'page number that clamps past the end and does not say which page it sent',
    () => pagedList(LETTERS, 2, { clamp: true, reportsPage: false }),
  ],
  [
    'page number that clamps silently, over a total that is a multiple of the page size (5 of 5)',
    () => pagedList(LETTERS, 5, { clamp: true, reportsPage: false }),
  ],
  [
    'page number that clamps silently, one item a page',
    () => pagedList(LETTERS, 1, { clamp: true, reportsPage: false }),
  ],
  ['offset that clamps past the end', () => offsetList(LETTERS, 2, { clamp: true })],
];

describe.each(styles)('indexConnection over %s', (_style, makeList) => {
  const run = (args: ConnectionArgs) => indexConnection(args, scope, makeList().fetch, { source: 'letters' });

  it('returns all elements without filters (default page of 20)', async () => {
    const page = await run({});
    expect(nodes(page)).toEqual(LETTERS);
    expect(page.pageInfo).toMatchObject({
      hasNextPage: false,
      hasPreviousPage: false,
      startCursor: cursorAt(0),
      endCursor: cursorAt(4),
    });
    expect(page.totalCount).toBe(5);
  });

  it('respects a smaller first', async () => {
    const page = await run({ first: 2 });
    expect(nodes(page)).toEqual(['A', 'B']);
    expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
  });

  it('respects an overly large first', async () => {
    expect(nodes(await run({ first: 10 }))).toEqual(LETTERS);
  });

  it('respects a smaller last', async () => {
    const page = await run({ last: 2 });
    expect(nodes(page)).toEqual(['D', 'E']);
    expect(page.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it('respects first and after', async () => {
    const page = await run({ first: 2, after: cursorAt(1) });
    expect(nodes(page)).toEqual(['C', 'D']);
    expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
  });

  it('respects first and after with long first', async () => {
    const page = await run({ first: 10, after: cursorAt(1) });
    expect(nodes(page)).toEqual(['C', 'D', 'E']);
    expect(page.pageInfo.hasNextPage).toBe(false);
  });

  it('respects last and before', async () => {
    const page = await run({ last: 2, before: cursorAt(3) });
    expect(nodes(page)).toEqual(['B', 'C']);
    expect(page.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
  });

  it('respects last and before with long last', async () => {
    const page = await run({ last: 10, before: cursorAt(3) });
    expect(nodes(page)).toEqual(['A', 'B', 'C']);
    expect(page.pageInfo.hasPreviousPage).toBe(false);
  });

  it('respects first and after and before, too few', async () => {
    expect(nodes(await run({ first: 2, after: cursorAt(0), before: cursorAt(4) }))).toEqual(['B', 'C']);
  });

  it('respects first and after and before, too many', async () => {
    expect(nodes(await run({ first: 4, after: cursorAt(0), before: cursorAt(4) }))).toEqual(['B', 'C', 'D']);
  });

  it('respects last and after and before, too few', async () => {
    expect(nodes(await run({ last: 2, after: cursorAt(0), before: cursorAt(4) }))).toEqual(['C', 'D']);
  });

  it('respects last and after and before, exactly right', async () => {
    expect(nodes(await run({ last: 3, after: cursorAt(0), before: cursorAt(4) }))).toEqual(['B', 'C', 'D']);
  });

  it('returns no elements if cursors cross', async () => {
    const page = await run({ before: cursorAt(2), after: cursorAt(4) });
    expect(page.edges).toEqual([]);
    expect(page.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
  });

  it('returns no elements and no next page after the last element, never a repeat of the last page', async () => {
    const page = await run({ first: 2, after: cursorAt(4) });
    expect(page.edges).toEqual([]);
    expect(page.pageInfo).toMatchObject({
      hasNextPage: false,
      hasPreviousPage: true,
      startCursor: null,
      endCursor: null,
    });
  });

  it.each([
    [{ first: 0 }, 'BAD_USER_INPUT'],
    [{ first: -1 }, 'BAD_USER_INPUT'],
    [{ last: -1 }, 'BAD_USER_INPUT'],
    [{ first: 101 }, 'BAD_USER_INPUT'],
    [{ first: 1, last: 1 }, 'BAD_USER_INPUT'],
    [{ first: 1, after: 'not-a-cursor' }, 'INVALID_CURSOR'],
    [{ first: 1, after: codec.scope('another field').encode(1) }, 'INVALID_CURSOR'],
    [{ first: 1, after: createCursorCodec().scope('letters').encode(1) }, 'INVALID_CURSOR'],
    [{ first: 1, after: scope.encode(-3) }, 'INVALID_CURSOR'],
  ])('throws for %j with 0 upstream calls', async (args, code) => {
    const list = makeList();
    await expect(indexConnection(args, scope, list.fetch, { source: 'letters' })).rejects.toMatchObject({ code });
    expect(list.calls).toEqual([]);
  });
});

describe('upstream calls for windows that do not line up with pages', () => {
  const HUNDRED = Array.from({ length: 100 }, (_, i) => `n${i}`);

  it('first: 25 over a 10-per-page API costs 3 calls', async () => {
    const list = pagedList(HUNDRED, 10);
    expect(nodes(await indexConnection({ first: 25 }, scope, list.fetch, { source: 'numbers' }))).toEqual(
      HUNDRED.slice(0, 25),
    );
    expect(list.calls).toEqual([
      [1, 10],
      [2, 10],
      [3, 10],
    ]);
  });

  it('a 10-item window straddling two pages costs 2 calls; inside one page, 1', async () => {
    const straddling = pagedList(HUNDRED, 10);
    await indexConnection({ first: 10, after: scope.encode(14) }, scope, straddling.fetch, { source: 'numbers' });
    expect(straddling.calls).toEqual([
      [2, 10],
      [3, 10],
    ]);
    const inside = pagedList(HUNDRED, 10);
    await indexConnection({ first: 5, after: scope.encode(11) }, scope, inside.fetch, { source: 'numbers' });
    expect(inside.calls).toEqual([[2, 10]]);
  });

  it('offset: one call per largest page', async () => {
    const list = offsetList(HUNDRED, 30);
    await indexConnection({ first: 70 }, scope, list.fetch, { source: 'numbers' });
    expect(list.calls).toEqual([
      [0, 30],
      [30, 30],
      [60, 10],
    ]);
  });

  it('last without before costs one more call, to learn the total', async () => {
    const list = offsetList(HUNDRED, 100);
    expect(nodes(await indexConnection({ last: 3 }, scope, list.fetch, { source: 'numbers' }))).toEqual([
      'n97',
      'n98',
      'n99',
    ]);
    expect(list.calls).toEqual([
      [0, 1],
      [97, 3],
    ]);
  });
});

describe('offset without a total', () => {
  const list = () => offsetList(LETTERS, 2, { withTotal: false });

  it('looks one element ahead for hasNextPage', async () => {
    const full = await indexConnection({ first: 5 }, scope, list().fetch, { source: 'letters' });
    expect(full.pageInfo.hasNextPage).toBe(false);
    expect(full.totalCount).toBeNull();
    expect((await indexConnection({ first: 4 }, scope, list().fetch, { source: 'letters' })).pageInfo.hasNextPage).toBe(
      true,
    );
  });

  it('refuses last without before, naming why', async () => {
    await expect(indexConnection({ last: 2 }, scope, list().fetch, { source: 'letters' })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringContaining('does not report how long the list is'),
    });
  });

  it('serves last with before', async () => {
    expect(
      nodes(await indexConnection({ last: 2, before: cursorAt(4) }, scope, list().fetch, { source: 'letters' })),
    ).toEqual(['C', 'D']);
  });
});

describe('cursors', () => {
  it('are signed only when read, once each, and read the same as signed at once', async () => {
    let signed = 0;
    const counting = {
      ...scope,
      encode(position: unknown) {
        signed += 1;
        return scope.encode(position);
      },
    };
    const page = await indexConnection({ first: 3 }, counting, offsetList(LETTERS, 2).fetch, { source: 'letters' });
    expect(nodes(page)).toEqual(LETTERS.slice(0, 3));
    expect(signed).toBe(0);
    expect(page.edges.map((edge) => edge.cursor)).toEqual([0, 1, 2].map(cursorAt));
    expect(page.pageInfo.endCursor).toBe(cursorAt(2));
    expect(signed).toBe(3);
    // The cursor is a getter on the edge's prototype: a copy made with spread has none, one that reads it has it.
    const edge = page.edges[1]!;
    expect({ ...edge, extra: true }).toEqual({ node: LETTERS[1], extra: true });
    expect({ node: edge.node, cursor: edge.cursor }).toEqual({ node: LETTERS[1], cursor: cursorAt(1) });
  });
});
