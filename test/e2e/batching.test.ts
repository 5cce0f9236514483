/** The fewest upstream calls correctness allows, counted at the services. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Backends, seed, startBackends } from '../helpers/backends.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';

let backends: Backends;
let gateway: TestGateway;

beforeAll(async () => {
  backends = await startBackends();
  gateway = await startGateway(backends, { responseCache: false });
  await gateway.query('{ article(id: "Article:1") { id } }'); // fetch the OAuth token up front
});
afterAll(async () => {
  await gateway.close();
  await backends.close();
});
beforeEach(() => {
  for (const service of [backends.accounts, backends.content, backends.comments]) service.clearRecords();
});

describe('a three-level query', () => {
  const QUERY = '{ articles(first: 50) { edges { node { author { name articles(first: 3) { edges { node { title } } } } } } } }';

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
      articles: { edges: articles.map((article) => ({ node: { author: { name: seed.users[article.author_id - 1]!.name, articles: { edges: titlesBy(article.author_id) } } } })) },
    });

    const calls = [...backends.content.requests, ...backends.accounts.requests].map((request) => decodeURIComponent(request.url));
    expect(calls).toHaveLength(3);
    expect(calls).toContain('/articles?limit=100'); // always the largest page: pages line up, and cache, the same for every window
    expect(calls).toContain(`/users?ids=${authors.join(',')}`);
    expect(calls).toContain(`/articles?per_author=4&${authors.map((id) => `author_id=${id}`).join('&')}`);
    expect(authors.length).toBe(47);
  });

  it('pages on past the batched first page of one author with a cursor from it', async () => {
    const authorId = seed.articles[0]!.author_id;
    const own = seed.articles.filter((article) => article.author_id === authorId);
    const first = await gateway.query(`{ user(id: "User:${authorId}") { articles(first: 2) { pageInfo { endCursor hasNextPage } } } }`);
    const { endCursor, hasNextPage } = (first.body.data?.user as { articles: { pageInfo: { endCursor: string; hasNextPage: boolean } } }).articles.pageInfo;
    expect(hasNextPage).toBe(own.length > 2);
    const next = await gateway.query(`query($after: String) { user(id: "User:${authorId}") { articles(first: 2, after: $after) { edges { node { id } } } } }`, { after: endCursor });
    const ids = (next.body.data?.user as { articles: { edges: Array<{ node: { id: string } }> } }).articles.edges.map((edge) => edge.node.id);
    expect(ids).toEqual(own.slice(2, 4).map((article) => `Article:${article.id}`));
  });
});
