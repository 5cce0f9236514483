/** The fewest upstream calls correctness allows, counted at the services. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Backends, seed } from '../helpers/backends.ts';
import { startGateway, type TestGateway, useGateway } from '../helpers/gateway.ts';

let backends: Backends;
let gateway: TestGateway;

// The warm-up query: fetch the OAuth token up front.
useGateway({ responseCache: false, warmUp: '{ article(id: "Article:1") { id } }' }, (running) => {
  ({ backends, gateway } = running);
});
const commentsOf = (articleId: number) => seed.comments.filter((comment) => comment.article_id === articleId);

beforeEach(() => {
  for (const service of [backends.accounts, backends.content, backends.comments]) service.clearRecords();
});

describe('a three-level query', () => {
  const QUERY =
    '{ articles(first: 50) { edges { node { author { name articles(first: 3) { edges { node { title } } } } } } } }';

  it('makes one call per endpoint shape per level: 3 in all, for 50 articles by 47 authors', async () => {
    const { body } = await gateway.query(QUERY);
    expect(body.errors).toBeUndefined();

    const articles = seed.articles.slice(0, 50);
    const authors = [...new Set(articles.map((article) => article.author_id))];
    const titlesBy = (authorId: number) =>
      seed.articles
        .filter((article) => article.author_id === authorId)
        .slice(0, 3)
        .map((article) => ({ node: { title: article.title } }));
    expect(body.data).toEqual({
      articles: {
        edges: articles.map((article) => ({
          node: {
            author: { name: seed.users[article.author_id - 1]!.name, articles: { edges: titlesBy(article.author_id) } },
          },
        })),
      },
    });

    const calls = [...backends.content.requests, ...backends.accounts.requests].map((request) =>
      decodeURIComponent(request.url),
    );
    expect(calls).toHaveLength(3);
    expect(calls).toContain('/articles?limit=100'); // always the largest page: pages line up, and cache, the same for every window
    expect(calls).toContain(`/users?ids=${authors.join(',')}`);
    expect(calls).toContain(`/articles?per_author=4&${authors.map((id) => `author_id=${id}`).join('&')}`);
    expect(authors.length).toBe(47);
  });

  it('pages on past the batched first page of one author with a cursor from it', async () => {
    const authorId = seed.articles[0]!.author_id;
    const own = seed.articles.filter((article) => article.author_id === authorId);
    const first = await gateway.query(
      `{ user(id: "User:${authorId}") { articles(first: 2) { pageInfo { endCursor hasNextPage } } } }`,
    );
    const { endCursor, hasNextPage } = (
      first.body.data?.user as { articles: { pageInfo: { endCursor: string; hasNextPage: boolean } } }
    ).articles.pageInfo;
    expect(hasNextPage).toBe(own.length > 2);
    const next = await gateway.query(
      `query($after: String) { user(id: "User:${authorId}") { articles(first: 2, after: $after) { edges { node { id } } } } }`,
      { after: endCursor },
    );
    const ids = (next.body.data?.user as { articles: { edges: Array<{ node: { id: string } }> } }).articles.edges.map(
      (edge) => edge.node.id,
    );
    expect(ids).toEqual(own.slice(2, 4).map((article) => `Article:${article.id}`));
  });
});

describe("the README's query: 50 articles, their authors and three comments each", () => {
  const QUERY =
    '{ articles(first: 50) { edges { node { title author { name } comments(first: 3) { edges { node { body } } pageInfo { hasNextPage } } } } } }';

  it('costs 3 calls on a cold cache: the first comments of every article are one', async () => {
    const { body } = await gateway.query(QUERY);
    expect(body.errors).toBeUndefined();
    const articles = seed.articles.slice(0, 50);
    expect(body.data).toEqual({
      articles: {
        edges: articles.map((article) => ({
          node: {
            title: article.title,
            author: { name: seed.users[article.author_id - 1]!.name },
            comments: {
              edges: commentsOf(article.id)
                .slice(0, 3)
                .map((comment) => ({ node: { body: comment.body } })),
              pageInfo: { hasNextPage: commentsOf(article.id).length > 3 },
            },
          },
        })),
      },
    });
    const calls = [backends.content, backends.accounts, backends.comments].flatMap((service) =>
      service.requests.map((request) => decodeURIComponent(request.url)),
    );
    expect(calls).toHaveLength(3);
    expect(calls).toContain(
      `/comments?per_article=4&${articles.map((article) => `article_id=${article.id}`).join('&')}`,
    );
  });

  it("fetches the comments' authors for every article at once too: one call per level", async () => {
    const { body } = await gateway.query(
      '{ articles(first: 50) { edges { node { author { name } comments(first: 3) { edges { node { author { name } } } } } } } }',
    );
    expect(body.errors).toBeUndefined();
    const calls = [backends.content, backends.accounts, backends.comments].flatMap((service) =>
      service.requests.map((request) => decodeURIComponent(request.url).split('?')[0]),
    );
    expect(calls.sort()).toEqual(['/articles', '/comments', '/users', '/users']);
  });

  it('keeps the articles when the batch call fails: each comments field is null with a coded error naming comments', async () => {
    backends.comments.inject({ fault: { kind: 'html' }, path: /^\/comments\?/ });
    try {
      const { body } = await gateway.query(
        '{ articles(first: 5) { edges { node { title comments(first: 3) { edges { node { body } } } } } } }',
      );
      const nodes = (body.data?.articles as { edges: Array<{ node: { title: string; comments: unknown } }> }).edges.map(
        (edge) => edge.node,
      );
      expect(nodes.map((node) => node.title)).toEqual(seed.articles.slice(0, 5).map((article) => article.title));
      expect(nodes.every((node) => node.comments === null)).toBe(true);
      expect(
        body.errors?.map((error) => [error.extensions?.code, error.extensions?.source, error.path?.at(-1)]),
      ).toEqual(Array.from({ length: 5 }, () => ['UPSTREAM_BAD_RESPONSE', 'comments', 'comments']));
      expect(backends.comments.requests.map((request) => request.url.split('?')[0])).toEqual(['/comments']);
    } finally {
      backends.comments.clearFaults();
    }
  });

  it("keeps the articles when the authors' batch call fails: each author is null with a coded error naming accounts", async () => {
    backends.accounts.inject({ fault: { kind: 'status', status: 503 }, path: /^\/users\?/ });
    try {
      const { body } = await gateway.query('{ articles(first: 4) { edges { node { title author { name } } } } }');
      const nodes = (body.data?.articles as { edges: Array<{ node: { title: string; author: unknown } }> }).edges.map(
        (edge) => edge.node,
      );
      expect(nodes).toEqual(seed.articles.slice(0, 4).map((article) => ({ title: article.title, author: null })));
      expect(
        body.errors?.map((error) => [
          error.extensions?.code,
          error.extensions?.source,
          error.extensions?.status,
          error.path?.at(-1),
        ]),
      ).toEqual(Array.from({ length: 4 }, () => ['UPSTREAM_UNAVAILABLE', 'accounts', 503, 'author']));
      // The authors of all four articles in one call (retried, as a GET that failed with 503 is), its error shared by all four.
      const authors = [...new Set(seed.articles.slice(0, 4).map((article) => article.author_id))];
      const calls = new Set(backends.accounts.requests.map((request) => decodeURIComponent(request.url)));
      expect([...calls]).toEqual([`/users?ids=${authors.join(',')}`]);
    } finally {
      backends.accounts.clearFaults();
    }
  });

  it('answers every article the same batched as one by one, ends of lists included', async () => {
    const fields =
      'comments(first: 2) { edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }';
    const together = await gateway.query(`{ articles(first: 100) { edges { node { id ${fields} } } } }`);
    expect(together.body.errors).toBeUndefined();
    expect(backends.comments.requests.map((request) => request.url.split('?')[0])).toEqual(['/comments']);
    type Batched = {
      id: string;
      comments: { edges: Array<{ cursor: string; node: unknown }>; pageInfo: { endCursor: string } };
    };
    const articles = (together.body.data?.articles as { edges: Array<{ node: Batched }> }).edges.map(
      (edge) => edge.node,
    );
    // Articles with no comment, with exactly `first`, and with more: hasNextPage comes from the one extra row the batch asks for.
    const count = (article: Batched) => commentsOf(Number(article.id.split(':')[1])).length;
    const picked = [
      articles.find((a) => count(a) === 0),
      articles.find((a) => count(a) === 2),
      articles.find((a) => count(a) > 2),
    ].filter((a) => a !== undefined);
    expect(picked.length).toBeGreaterThanOrEqual(2);
    for (const article of picked) {
      // `last` is a window the batch never serves: the article's own pages answer it, and they must agree.
      const own = await gateway.query(
        `{ article(id: "${article.id}") { comments(last: 100) { edges { node { id } } } } }`,
      );
      const all = (own.body.data?.article as { comments: { edges: unknown[] } }).comments.edges;
      expect(article.comments.edges.map((edge) => ({ node: edge.node }))).toEqual(all.slice(0, 2));
      expect(article.comments.pageInfo).toMatchObject({ hasNextPage: all.length > 2, hasPreviousPage: false });
      if (all.length === 0) continue;
      // A cursor from the batched page resumes on the article's own pages.
      const next = await gateway.query(
        `query($after: String) { article(id: "${article.id}") { comments(first: 2, after: $after) { edges { node { id } } } } }`,
        {
          after: article.comments.pageInfo.endCursor,
        },
      );
      expect((next.body.data?.article as { comments: { edges: unknown[] } }).comments.edges).toEqual(all.slice(2, 4));
    }
  });

  it('fetches an article’s total with one call of its own, only when the query asks for it', async () => {
    const articleId = seed.articles[0]!.id;
    await gateway.query(`{ article(id: "Article:${articleId}") { comments(first: 1) { edges { node { id } } } } }`);
    expect(backends.comments.requests.map((request) => request.url.split('?')[0])).toEqual(['/comments']);
    backends.comments.clearRecords();
    const { body } = await gateway.query(
      `{ article(id: "Article:${articleId}") { comments(first: 1) { totalCount edges { node { id } } } } }`,
    );
    expect((body.data?.article as { comments: { totalCount: number } }).comments.totalCount).toBe(
      commentsOf(articleId).length,
    );
    expect(backends.comments.requests.map((request) => request.url.split('?')[0]).sort()).toEqual([
      '/articles/1/comments',
      '/comments',
    ]);
  });
});

describe('first pages while the batch answer is cached', () => {
  let cached: TestGateway;
  beforeAll(async () => {
    cached = await startGateway(backends);
  });
  afterAll(() => cached.close());

  it('answer the next request alike, cursors included, each with its total', async () => {
    const QUERY =
      '{ articles(first: 10) { edges { node { id comments(first: 2) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } } } } }';
    type Page = {
      totalCount: number;
      edges: Array<{ cursor: string; node: { id: string } }>;
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
    const pagesOf = (body: { data?: Record<string, unknown> | null }) =>
      (body.data?.articles as { edges: Array<{ node: { id: string; comments: Page } }> }).edges.map(
        (edge) => edge.node,
      );
    const first = await cached.query(QUERY);
    const second = await cached.query(QUERY);
    expect(second.body.errors).toBeUndefined();
    expect(pagesOf(second.body)).toEqual(pagesOf(first.body));
    for (const article of pagesOf(second.body)) {
      const all = commentsOf(Number(article.id.split(':')[1]));
      expect(article.comments.totalCount).toBe(all.length);
      expect(article.comments.edges.map((edge) => edge.node.id)).toEqual(
        all.slice(0, 2).map((comment) => `Comment:${comment.id}`),
      );
      expect(article.comments.pageInfo.hasNextPage).toBe(all.length > 2);
    }
    // A cursor from the page the second request was served resumes where it ends.
    const longer = pagesOf(second.body).find((article) => article.comments.pageInfo.hasNextPage) as {
      id: string;
      comments: Page;
    };
    const next = await cached.query(
      `query($after: String) { article(id: "${longer.id}") { comments(first: 2, after: $after) { edges { node { id } } } } }`,
      {
        after: longer.comments.pageInfo.endCursor,
      },
    );
    const ids = (
      next.body.data?.article as { comments: { edges: Array<{ node: { id: string } }> } }
    ).comments.edges.map((edge) => edge.node.id);
    expect(ids).toEqual(
      commentsOf(Number(longer.id.split(':')[1]))
        .slice(2, 4)
        .map((comment) => `Comment:${comment.id}`),
    );
  });
});
