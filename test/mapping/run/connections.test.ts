/** mapping/run/connections.ts over a fake bound source: a paginated @rest field as a Relay connection, page by page. */
import { describe, expect, it } from 'vitest';
import { fakeSource, run } from './fake-source.ts';

const ITEMS = Array.from({ length: 7 }, (_, i) => ({ id: i + 1 }));
const SDL = (style: string, extra = '') => `
type Item { id: ID! }
type ItemEdge { node: Item! cursor: String! }
type PageInfo { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }
type ItemConnection { edges: [ItemEdge!]! pageInfo: PageInfo! totalCount: Int }
type Query { items(first: Int, after: String): ItemConnection! @rest(source: "api", path: "/items", paginate: { style: ${style}, pageSize: 3, items: "data"${extra} }) }
`;

describe('a connection', () => {
  it('OFFSET: reads no more of the window than it needs, a page at most per call, and says from the total whether more follow', async () => {
    const source = fakeSource('api', ({ query = {} }) => ({
      data: ITEMS.slice(Number(query.offset), Number(query.offset) + Number(query.limit)),
      total: ITEMS.length,
    }));
    const first = await run(
      SDL('OFFSET', ', total: "total"'),
      source,
      '{ items(first: 4) { edges { node { id } cursor } pageInfo { hasNextPage endCursor } totalCount } }',
    );
    const connection = first.data?.items as {
      edges: Array<{ node: { id: string }; cursor: string }>;
      pageInfo: { hasNextPage: boolean; endCursor: string };
      totalCount: number;
    };
    expect(connection.edges.map((edge) => edge.node.id)).toEqual(['1', '2', '3', '4']);
    expect(connection.pageInfo.hasNextPage).toBe(true);
    expect(connection.totalCount).toBe(7);
    expect(source.requests.map((request) => request.query)).toEqual([
      { offset: 0, limit: 3 },
      // Only the row still missing: the total says more follow.
      { offset: 3, limit: 1 },
    ]);
  });

  it('CURSOR: follows the cursor each answer names until it has the window', async () => {
    const source = fakeSource('api', ({ query = {} }) => {
      const from = query.cursor === undefined ? 0 : Number(query.cursor);
      return { data: ITEMS.slice(from, from + 3), next: from + 3 < ITEMS.length ? String(from + 3) : null };
    });
    const result = await run(
      SDL('CURSOR', ', next: "next"'),
      source,
      '{ items(first: 5) { edges { node { id } } pageInfo { hasNextPage } } }',
    );
    expect(
      (result.data?.items as { edges: Array<{ node: { id: string } }> }).edges.map((edge) => edge.node.id),
    ).toEqual(['1', '2', '3', '4', '5']);
    expect(source.requests.map((request) => request.query?.cursor ?? null)).toEqual([null, '3']);
  });

  it('a page without a list of items is UPSTREAM_BAD_RESPONSE, naming the source and the field', async () => {
    const result = await run(
      SDL('OFFSET'),
      fakeSource('api', () => ({ data: 'none' })),
      '{ items(first: 2) { edges { cursor } } }',
    );
    expect(result.errors?.[0]?.message).toBe('api sent a page without a list of items (Query.items).');
  });
});
