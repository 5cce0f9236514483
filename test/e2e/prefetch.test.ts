/**
 * A list fetches the batched fields its items select before execution
 * reaches the items (mapping/run/prefetch.ts): the same calls and
 * answers as item-by-item loading, for what the request really selects —
 * fragments followed, aliases merged, @skip/@include applied — and a failed
 * batch is every item's error, with the rest of the answer kept.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { type Backends, seed } from '../helpers/backends.ts';
import { type TestGateway, useGateway } from '../helpers/gateway.ts';

let backends: Backends;
let gateway: TestGateway;

// The warm-up query: fetch the OAuth token up front.
useGateway(
  {
    responseCache: false,
    sources: { accounts: { retry: { maxAttempts: 1 }, breaker: { enabled: false } } },
    warmUp: '{ article(id: "Article:1") { id } }',
  },
  (running) => {
    ({ backends, gateway } = running);
  },
);
beforeEach(() => {
  for (const service of [backends.accounts, backends.content, backends.comments]) service.clearRecords();
});

const articles = seed.articles.slice(0, 5);
const authorOf = (article: (typeof articles)[number]) => seed.users[article.author_id - 1]!;
const userCalls = () => backends.accounts.requests.filter((request) => request.url.startsWith('/users'));

describe('prefetching the batched fields of a list', () => {
  it('follows @skip and @include: a skipped field is not fetched, an included one is, once', async () => {
    const query =
      'query($skip: Boolean!) { articles(first: 5) { edges { node { title author @skip(if: $skip) { name } } } } }';
    const skipped = await gateway.query(query, { skip: true });
    expect(skipped.body).toEqual({
      data: { articles: { edges: articles.map((article) => ({ node: { title: article.title } })) } },
    });
    expect(userCalls()).toHaveLength(0);

    const kept = await gateway.query(query, { skip: false });
    expect(kept.body).toEqual({
      data: {
        articles: {
          edges: articles.map((article) => ({
            node: { title: article.title, author: { name: authorOf(article).name } },
          })),
        },
      },
    });
    expect(userCalls()).toHaveLength(1);
  });

  it('follows fragments and merges aliases: one call serves them all', async () => {
    const query = `{ articles(first: 5) { edges { node { ...Byline writer: author { id } } } } }
      fragment Byline on Article { author { name } ... on Article { byline: author { name } } }`;
    const { body } = await gateway.query(query);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      articles: {
        edges: articles.map((article) => ({
          node: {
            author: { name: authorOf(article).name },
            byline: { name: authorOf(article).name },
            writer: { id: `User:${article.author_id}` },
          },
        })),
      },
    });
    expect(userCalls()).toHaveLength(1);
  });

  it('fetches nothing for a fragment left out by @include(if: false)', async () => {
    const { body } = await gateway.query(
      '{ articles(first: 5) { edges { node { title ... @include(if: false) { author { name } } } } } }',
    );
    expect(body.errors).toBeUndefined();
    expect(userCalls()).toHaveLength(0);
  });

  it('a failed batch is each item’s coded error; the list and its other fields are kept', async () => {
    backends.accounts.inject({ fault: { kind: 'status', status: 503 }, times: 1, path: /^\/users/ });
    const { body } = await gateway.query('{ articles(first: 5) { edges { node { title author { name } } } } }');
    expect(body.data).toEqual({
      articles: { edges: articles.map((article) => ({ node: { title: article.title, author: null } })) },
    });
    expect(body.errors).toHaveLength(5);
    expect(body.errors?.map((error) => error.path)).toEqual(
      articles.map((_, index) => ['articles', 'edges', index, 'node', 'author']),
    );
    for (const error of body.errors ?? [])
      expect(error.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', source: 'accounts', status: 503 });
    expect(userCalls()).toHaveLength(1);
  });
});
