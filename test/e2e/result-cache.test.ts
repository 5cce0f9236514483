/**
 * The result cache (cache.maxResultBytes): a query of declared fields whose
 * every call a fresh stored answer served is answered again, whole, without
 * executing, while each of those stored answers is the one stored and fresh.
 * Whatever would change the answer (freshness running out, a write, a
 * webhook, another caller's identity) makes the gateway execute again; an
 * answer with errors, stale notices or hand-written fields is never cached.
 * Which requests were answered from the result cache is read from the request log.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { exampleUserToken } from '../../examples/backends/index.ts';
import { type Backends, callsTo, resetBackends, seed } from '../helpers/backends.ts';
import { sendEvent } from '../helpers/events.ts';
import { codes, type TestGateway, useGateway, withGateway } from '../helpers/gateway.ts';
import { manualClock } from '../helpers/time.ts';

let backends: Backends;
let gateway: TestGateway;
const clock = manualClock();

useGateway({ now: clock.now, backends: { accountsMaxAgeSeconds: 60 } }, (running) => {
  ({ backends, gateway } = running);
});
beforeEach(() => resetBackends(backends));

const userQuery = (id: number) => `{ user(id: "User:${id}") { name } }`;
const nameOf = (id: number) => seed.users[id - 1]?.name;

/** Whether each request the gateway logged from now on was answered from the result cache. */
function cachedFlags(on: TestGateway): () => boolean[] {
  const from = on.logs.length;
  return () =>
    on.logs
      .slice(from)
      .map((line) => JSON.parse(line) as { msg: string; fromResultCache?: boolean })
      .filter((line) => line.msg === 'request')
      .map((line) => line.fromResultCache === true);
}

describe('a cached result', () => {
  it('answers an identical query once its calls were all served by stored answers, the same body, counted as cache hits', async () => {
    const cached = cachedFlags(gateway);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await gateway.query(userQuery(1)));
    expect(new Set(answers.map((answer) => answer.text))).toEqual(
      new Set([JSON.stringify({ data: { user: { name: nameOf(1) } } })]),
    );
    // A cold call, then an execution from the stored answer (now cached), then the cached result.
    expect(cached()).toEqual([false, false, true, true]);
    expect(backends.accounts.requests).toHaveLength(1);
    const hits = gateway.cacheStats().accounts?.hit ?? 0;
    await gateway.query(userQuery(1));
    expect(gateway.cacheStats().accounts?.hit).toBe(hits + 1);
  });

  it('answers a query of declared features alone (a union, a chained call, a computed field) from the result cache too', async () => {
    const cached = cachedFlags(gateway);
    const query =
      '{ search(text: "ra", first: 2) { __typename ... on Category { name } ... on Article { title authorWeather { summary } } } }';
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await gateway.query(query));
    expect(answers[0]?.body.errors).toBeUndefined();
    expect(new Set(answers.map((answer) => answer.text)).size).toBe(1);
    expect(cached()).toEqual([false, false, true]);
  });

  it('is keyed by variables and operation as well as the text', async () => {
    const query = 'query One($id: ID!) { user(id: $id) { name } } query Two { user(id: "User:2") { name } }';
    const ask = (operationName: string, variables?: Record<string, unknown>) =>
      fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, operationName, variables }),
      }).then(async (response) => (await response.json()) as { data: { user: { name: string } } });
    for (let i = 0; i < 3; i++) {
      expect((await ask('One', { id: 'User:3' })).data.user.name).toBe(nameOf(3));
      expect((await ask('One', { id: 'User:4' })).data.user.name).toBe(nameOf(4));
      expect((await ask('Two')).data.user.name).toBe(nameOf(2));
    }
  });

  it('is given up once a stored answer it was built from is no longer fresh, and the change shows', async () => {
    const cached = cachedFlags(gateway);
    for (let i = 0; i < 3; i++) await gateway.query(userQuery(5));
    backends.accounts.rename(5, 'Renamed Five');
    // Within max-age the service is not asked: the cached result is as fresh as the stored one.
    expect((await gateway.query(userQuery(5))).body.data).toEqual({ user: { name: nameOf(5) } });
    clock.advance(61_000);
    expect((await gateway.query(userQuery(5))).body.data).toEqual({ user: { name: 'Renamed Five' } });
    expect(cached()).toEqual([false, false, true, true, false]);
  });

  it('is given up after a write through the gateway, and after a webhook names what changed', async () => {
    const read = '{ article(id: "Article:3") { title } }';
    for (let i = 0; i < 3; i++) await gateway.query(read);
    const updated = await gateway.query(
      'mutation { updateArticle(id: "Article:3", patch: { title: "Written here" }) { title } }',
      undefined,
      {
        authorization: `Bearer ${exampleUserToken(seed.articles[2]?.author_id ?? 1)}`,
      },
    );
    expect(updated.body.errors).toBeUndefined();
    expect((await gateway.query(read)).body.data).toEqual({ article: { title: 'Written here' } });

    for (let i = 0; i < 2; i++) await gateway.query(read);
    const before = callsTo(backends.content.requests, '/articles/3').length;
    expect(
      await sendEvent(
        gateway.url,
        'content',
        'article.updated',
        { ...seed.articles[2], title: 'Changed elsewhere' },
        { timestamp: Math.floor(clock.now() / 1000) },
      ),
    ).toEqual({
      status: 204,
    });
    await gateway.query(read);
    expect(callsTo(backends.content.requests, '/articles/3')).toHaveLength(before + 1);
  });

  it('is given up when a comment is added to an article of a cached page, though the page read its comments in one batch', async () => {
    const page =
      '{ articles(first: 5) { edges { node { id comments(first: 100) { totalCount edges { node { body } } } } } } }';
    type Page = {
      articles: {
        edges: Array<{
          node: { id: string; comments: { totalCount: number; edges: Array<{ node: { body: string } }> } };
        }>;
      };
    };
    const cached = cachedFlags(gateway);
    let before: Page | undefined;
    for (let i = 0; i < 3; i++) before = (await gateway.query(page)).body.data as Page;
    expect(cached()).toEqual([false, false, true]);
    const article = before?.articles.edges[1]?.node ?? expect.unreachable('a second article');
    const added = await gateway.query(
      `mutation { addComment(articleId: "${article.id}", body: "Seen at once", authorId: "User:3") { body } }`,
    );
    expect(added.body.errors).toBeUndefined();
    const after = (await gateway.query(page)).body.data as Page;
    const comments = after.articles.edges[1]?.node.comments;
    expect(comments?.totalCount).toBe(article.comments.totalCount + 1);
    expect(comments?.edges.map((edge) => edge.node.body)).toContain('Seen at once');
  });

  it('is never given to another caller: each token gets its own viewer, kept apart', async () => {
    const cached = cachedFlags(gateway);
    const as = (id: number) => ({ authorization: `Bearer ${exampleUserToken(id)}` });
    for (let i = 0; i < 3; i++) {
      expect((await gateway.query('{ viewer { id } }', undefined, as(6))).body.data).toEqual({
        viewer: { id: 'User:6' },
      });
      expect((await gateway.query('{ viewer { id } }', undefined, as(7))).body.data).toEqual({
        viewer: { id: 'User:7' },
      });
    }
    expect(cached()).toEqual([false, false, false, false, true, true]);
    expect(codes(await gateway.query('{ viewer { id } }'))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('no result is cached', () => {
  it('with an error, even when the error is in one field of many', async () => {
    const cached = cachedFlags(gateway);
    backends.content.inject({ fault: { kind: 'status', status: 500 }, path: /articles\/99/ });
    const query = `{ user(id: "User:8") { name } article(id: "Article:99") { title } }`;
    for (let i = 0; i < 3; i++) {
      const answer = await gateway.query(query);
      expect(answer.body.data).toEqual({ user: { name: nameOf(8) }, article: null });
      expect(codes(answer)).toEqual(['UPSTREAM_ERROR']);
    }
    expect(cached()).toEqual([false, false, false]);
  });

  it('when a stale answer stood in for a failing source', async () => {
    for (let i = 0; i < 3; i++) await gateway.query(userQuery(9));
    clock.advance(61_000);
    backends.accounts.inject({ fault: { kind: 'status', status: 503 } });
    const cached = cachedFlags(gateway);
    for (let i = 0; i < 3; i++) {
      const answer = await gateway.query(userQuery(9));
      expect((answer.body as { extensions?: { stale?: unknown[] } }).extensions?.stale).toHaveLength(1);
    }
    expect(cached()).toEqual([false, false, false]);
  });

  it('for a query with a hand-written field', async () => {
    const cached = cachedFlags(gateway);
    for (let i = 0; i < 3; i++) await gateway.query('{ article(id: "Article:4") { title excerpt(words: 2) } }');
    expect(cached()).toEqual([false, false, false]);
    expect(callsTo(backends.content.requests, '/articles/4')).toHaveLength(1);
  });

  it('for a mutation', async () => {
    const cached = cachedFlags(gateway);
    const token = { authorization: `Bearer ${exampleUserToken(seed.articles[4]?.author_id ?? 1)}` };
    for (let i = 0; i < 3; i++)
      await gateway.query(
        'mutation { updateArticle(id: "Article:5", patch: { title: "Same" }) { title } }',
        undefined,
        token,
      );
    expect(cached()).toEqual([false, false, false]);
    expect(
      callsTo(backends.content.requests, '/articles/5').filter((request) => request.method === 'PATCH'),
    ).toHaveLength(3);
  });

  it('with cache.maxResultBytes 0', async () => {
    await withGateway(backends, { now: clock.now, cache: { maxResultBytes: 0 } }, async (off) => {
      const cached = cachedFlags(off);
      for (let i = 0; i < 3; i++)
        expect((await off.query(userQuery(10))).body.data).toEqual({ user: { name: nameOf(10) } });
      expect(cached()).toEqual([false, false, false]);
    });
  });
});
