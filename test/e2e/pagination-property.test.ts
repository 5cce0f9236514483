/**
 * Property test: for every paginated field, random first/after/last/before
 * requests through the gateway answer exactly what an oracle computed
 * straight from the seed data says, and full walks forward and backward
 * visit every node once and end. Small page sizes make windows cross
 * upstream pages.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed } from '../helpers/backends.ts';
import { type TestGateway, useGateway } from '../helpers/gateway.ts';

let gateway: TestGateway;

useGateway(
  { sources: { accounts: { maxPageSize: 7 }, content: { maxPageSize: 13 }, comments: { maxPageSize: 3 } } },
  (running) => {
    ({ gateway } = running);
  },
);

interface Page {
  totalCount: number | null;
  edges: Array<{ cursor: string; node: { id: string } }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

interface Field {
  name: string;
  style: 'index' | 'chained';
  /** Global ids of the whole list, in order, from the seed. */
  all: string[];
  fetch(args: Record<string, unknown>): Promise<{ page?: Page; code?: unknown }>;
}

const SELECTION =
  'totalCount edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';
const VARS = '$first: Int, $after: String, $last: Int, $before: String';
const ARGS = 'first: $first, after: $after, last: $last, before: $before';

function field(
  name: string,
  style: Field['style'],
  all: string[],
  query: string,
  pick: (data: Record<string, unknown>) => Page,
): Field {
  return {
    name,
    style,
    all,
    async fetch(args) {
      const { body } = await gateway.query(query, args);
      if (body.errors) return { code: body.errors[0]?.extensions.code };
      return { page: pick(body.data ?? {}) };
    },
  };
}

const mostBy = <T>(rows: T[], key: (row: T) => number) =>
  [
    ...rows.reduce((counts, row) => counts.set(key(row), (counts.get(key(row)) ?? 0) + 1), new Map<number, number>()),
  ].sort((a, b) => b[1] - a[1])[0]![0];
const author = mostBy(seed.articles, (article) => article.author_id);
const commented = mostBy(seed.comments, (comment) => comment.article_id);

const FIELDS: Field[] = [
  field(
    'users',
    'index',
    seed.users.map((user) => `User:${user.id}`),
    `query(${VARS}) { users(${ARGS}) { ${SELECTION} } }`,
    (data) => data.users as Page,
  ),
  field(
    'articles(category: "food")',
    'chained',
    seed.articles.filter((a) => a.category === 'food').map((a) => `Article:${a.id}`),
    `query(${VARS}) { articles(${ARGS}, category: "food") { ${SELECTION} } }`,
    (data) => data.articles as Page,
  ),
  field(
    'User.articles',
    'chained',
    seed.articles.filter((a) => a.author_id === author).map((a) => `Article:${a.id}`),
    `query(${VARS}) { user(id: "User:${author}") { articles(${ARGS}) { ${SELECTION} } } }`,
    (data) => (data.user as { articles: Page }).articles,
  ),
  field(
    'Article.comments',
    'index',
    seed.comments.filter((c) => c.article_id === commented).map((c) => `Comment:${c.id}`),
    `query(${VARS}) { article(id: "Article:${commented}") { comments(${ARGS}) { ${SELECTION} } } }`,
    (data) => (data.article as { comments: Page }).comments,
  ),
];

interface Request {
  direction: 'first' | 'last';
  count: number;
  after: number | null;
  before: number | null;
}

/** What the gateway must answer, from the seed alone. */
function oracle(
  f: Field,
  request: Request,
): { code: string } | { ids: string[]; hasPreviousPage: boolean; hasNextPage: boolean; totalCount: number | null } {
  const n = f.all.length;
  if (f.style === 'chained') {
    if (
      (request.direction === 'first' && request.before !== null) ||
      (request.direction === 'last' && request.after !== null)
    )
      return { code: 'BAD_USER_INPUT' };
    if (request.direction === 'last' && request.before === null) return { code: 'BAD_USER_INPUT' }; // content links to no last page
  }
  const totalCount = f.style === 'index' ? n : null;
  const lo = request.after === null ? 0 : request.after + 1;
  const hi = request.before === null ? n : request.before;
  if (hi < lo) return { ids: [], hasPreviousPage: false, hasNextPage: false, totalCount };
  const [begin, end] =
    request.direction === 'first' ? [lo, Math.min(hi, lo + request.count)] : [Math.max(lo, hi - request.count), hi];
  return { ids: f.all.slice(begin, end), hasPreviousPage: begin > 0, hasNextPage: end < n, totalCount };
}

/** Cursors for every node, from a forward walk at the largest page. */
async function cursorsOf(f: Field): Promise<string[]> {
  const cursors: string[] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const { page } = await f.fetch({ first: 100, after });
    cursors.push(...page!.edges.map((edge) => edge.cursor));
    if (!page!.pageInfo.hasNextPage) return cursors;
    after = page!.pageInfo.endCursor;
  }
  throw new Error('walk did not end');
}

const runs: Record<string, number> = {};

describe.each(FIELDS)('$name', (f) => {
  let cursors: string[] = [];
  beforeAll(async () => {
    cursors = await cursorsOf(f);
  });

  it('has a list long enough to cross upstream pages', () => {
    expect(f.all.length).toBeGreaterThan(8);
    expect(cursors).toHaveLength(f.all.length);
  });

  it('answers random windows as the oracle does', async () => {
    const n = f.all.length;
    const position = fc.option(fc.integer({ min: 0, max: n - 1 }), { nil: null, freq: 2 });
    const request = fc.record({
      direction: fc.constantFrom<'first' | 'last'>('first', 'last'),
      count: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 100 })),
      after: position,
      before: position,
    });
    let count = 0;
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        count += 1;
        const args = {
          [r.direction]: r.count,
          after: r.after === null ? null : cursors[r.after],
          before: r.before === null ? null : cursors[r.before],
        };
        const expected = oracle(f, r);
        const answer = await f.fetch(args);
        if ('code' in expected) {
          expect(answer.code).toBe(expected.code);
          return;
        }
        expect(answer.code).toBeUndefined();
        const page = answer.page!;
        expect(page.edges.map((edge) => edge.node.id)).toEqual(expected.ids);
        expect({ hasPreviousPage: page.pageInfo.hasPreviousPage, hasNextPage: page.pageInfo.hasNextPage }).toEqual({
          hasPreviousPage: expected.hasPreviousPage,
          hasNextPage: expected.hasNextPage,
        });
        expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor ?? null);
        expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
        expect(page.totalCount).toBe(expected.totalCount);
      }),
      { numRuns: 150 },
    );
    runs[f.name] = count;
  });

  // Up to a few hundred sequential requests per run (pages of one node included): room for a loaded machine.
  it('walks forward and backward over every node exactly once, and the walks end', { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 8 }), async (sizes) => {
        const forward: string[] = [];
        let after: string | null = null;
        for (let step = 0; ; step++) {
          expect(step).toBeLessThan(f.all.length + 1);
          const { page } = await f.fetch({ first: sizes[step % sizes.length], after });
          forward.push(...page!.edges.map((edge) => edge.node.id));
          if (!page!.pageInfo.hasNextPage) break;
          after = page!.pageInfo.endCursor;
        }
        expect(forward).toEqual(f.all);

        // content links to no last page: a backward walk there starts before the last node.
        const tail = f.style === 'chained' ? [f.all.at(-1)!] : [];
        const backward: string[] = [];
        let before: string | null = f.style === 'chained' ? cursors.at(-1)! : null;
        for (let step = 0; ; step++) {
          expect(step).toBeLessThan(f.all.length + 1);
          const { page, code } = await f.fetch({ last: sizes[step % sizes.length], before });
          expect(code).toBeUndefined();
          backward.unshift(...page!.edges.map((edge) => edge.node.id));
          if (!page!.pageInfo.hasPreviousPage) break;
          before = page!.pageInfo.startCursor;
        }
        expect([...backward, ...tail]).toEqual(f.all);
      }),
      { numRuns: 6 },
    );
  });
});

afterAll(() => {
  console.log(`pagination property runs: ${JSON.stringify(runs)}`);
});
