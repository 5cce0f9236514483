/**
 * The upstream cache through the gateway: freshness, revalidation,
 * coalescing, what is never stored, stale-if-error and invalidation after
 * writes, counted at the services.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { exampleUserToken } from '../../examples/backends/index.ts';
import { type Backends, callsTo, seed } from '../helpers/backends.ts';
import { codes, startGateway, type TestGateway, useGateway } from '../helpers/gateway.ts';
import { manualClock } from '../helpers/time.ts';

let backends: Backends;
let gateway: TestGateway;

beforeEach(() => {
  for (const service of [backends.accounts, backends.content, backends.comments, backends.weather]) {
    service.clearRecords();
    service.clearFaults();
    service.setLatency(0);
  }
});

/** The gateway's clock: cached answers age when the test says so. */
const clock = manualClock();
useGateway({ now: clock.now, backends: { accountsMaxAgeSeconds: 1 } }, (running) => {
  ({ backends, gateway } = running);
});
const userQuery = (id: number) => `{ user(id: "User:${id}") { name } }`;
const nameOf = (id: number) => seed.users[id - 1]!.name;
const usersBody = (id: number) => JSON.stringify({ users: [seed.users[id - 1]] });

describe('freshness and revalidation', () => {
  it('answers the same query within max-age with no upstream call, then revalidates with If-None-Match and a 304', async () => {
    expect((await gateway.query(userQuery(11))).body.data).toEqual({ user: { name: nameOf(11) } });
    expect((await gateway.query(userQuery(11))).body.data).toEqual({ user: { name: nameOf(11) } });
    expect(backends.accounts.requests).toHaveLength(1);
    const before = gateway.cacheStats().accounts!;

    clock.advance(1_100);
    expect((await gateway.query(userQuery(11))).body.data).toEqual({ user: { name: nameOf(11) } });
    expect(backends.accounts.requests).toHaveLength(2);
    expect(backends.accounts.requests[1]?.headers['if-none-match']).toMatch(/^".+"$/);
    expect(gateway.cacheStats().accounts).toMatchObject({ revalidated: before.revalidated + 1, hit: before.hit });
  });

  it('takes the new body when the resource changed', async () => {
    await gateway.query(userQuery(12));
    backends.accounts.rename(12, 'Renamed Person');
    clock.advance(1_100);
    expect((await gateway.query(userQuery(12))).body.data).toEqual({ user: { name: 'Renamed Person' } });
  });
});

describe('coalescing', () => {
  // Long enough freshness that a request which arrives after the shared call ends is a hit, not a revalidation, on a loaded machine.
  beforeAll(() => backends.accounts.setMaxAge(60));
  afterAll(() => backends.accounts.setMaxAge(1));

  it('500 concurrent identical cold requests make 1 upstream call', async () => {
    backends.accounts.setLatency(300);
    const answers = await Promise.all(Array.from({ length: 500 }, () => gateway.query(userQuery(21))));
    expect(
      answers.every(
        (answer) => JSON.stringify(answer.body) === JSON.stringify({ data: { user: { name: nameOf(21) } } }),
      ),
    ).toBe(true);
    expect(backends.accounts.requests).toHaveLength(1);
  });

  it('with two identities, exactly 2', async () => {
    backends.accounts.setLatency(300);
    const tokens = [exampleUserToken(1), exampleUserToken(2)];
    const answers = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        gateway.query(userQuery(22), undefined, { authorization: `Bearer ${tokens[i % 2]}` }),
      ),
    );
    expect(answers.every((answer) => answer.body.data?.user !== null)).toBe(true);
    expect(backends.accounts.requests).toHaveLength(2);
    expect(new Set(backends.accounts.requests.map((request) => request.headers.authorization))).toEqual(
      new Set(tokens.map((token) => `Bearer ${token}`)),
    );
  });
});

describe('what is never stored', () => {
  let shared: TestGateway;
  beforeAll(async () => {
    // accounts without forwarding: its answers go to the shared partition.
    shared = await startGateway(backends, { sources: { accounts: { forwardHeaders: [] } } });
  });
  afterAll(() => shared.close());

  it.each([
    ['private', { 'cache-control': 'private, max-age=60' }],
    ['no-store', { 'cache-control': 'no-store' }],
    ['Set-Cookie', { 'cache-control': 'max-age=60', 'set-cookie': 'session=abc' }],
  ])('a %s answer is not kept in the shared partition', async (_name, headers) => {
    backends.accounts.inject({ fault: { kind: 'status', status: 200, headers, body: usersBody(31) }, path: /ids=31/ });
    await shared.query(userQuery(31));
    await shared.query(userQuery(31));
    expect(backends.accounts.requests).toHaveLength(2);
  });

  it('but a public one is', async () => {
    await shared.query(userQuery(32));
    await shared.query(userQuery(32));
    expect(backends.accounts.requests).toHaveLength(1);
  });

  it("a private answer is kept in its caller's own partition", async () => {
    const headers = { authorization: `Bearer ${exampleUserToken(5)}` };
    const first = await gateway.query('{ viewer { id } }', undefined, headers);
    const second = await gateway.query('{ viewer { id } }', undefined, headers);
    expect([first.body.data, second.body.data]).toEqual([{ viewer: { id: 'User:5' } }, { viewer: { id: 'User:5' } }]);
    expect(callsTo(backends.accounts.requests, '/me')).toHaveLength(1);
  });

  it('errors are not cached: a 500 and a 404 are asked again', async () => {
    backends.accounts.inject({ fault: { kind: 'status', status: 500 }, times: 1 });
    expect(codes(await gateway.query(userQuery(33)))).toEqual(['UPSTREAM_ERROR']);
    expect((await gateway.query(userQuery(33))).body.data).toEqual({ user: { name: nameOf(33) } });
    expect(backends.accounts.requests).toHaveLength(2);

    await gateway.query('{ article(id: "Article:99999") { id } }');
    await gateway.query('{ article(id: "Article:99999") { id } }');
    expect(callsTo(backends.content.requests, '/articles/99999')).toHaveLength(2);
  });
});

describe('stale-if-error', () => {
  it('serves the stale entry when the service fails within the window, and says so in extensions', async () => {
    await gateway.query(userQuery(41));
    clock.advance(1_100);
    backends.accounts.inject({ fault: { kind: 'status', status: 503 } });
    const answer = await gateway.query(`${userQuery(41).slice(0, -1)} weather(city: "Oslo") { city } }`);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data).toEqual({ user: { name: nameOf(41) }, weather: { city: 'Oslo' } });
    expect((answer.body as { extensions?: unknown }).extensions).toEqual({
      stale: [{ source: 'accounts', ageSeconds: expect.any(Number), reason: 'UPSTREAM_UNAVAILABLE' }],
    });
  });

  it('answers the error past the window', async () => {
    const strict = await startGateway(backends, {
      now: clock.now,
      sources: { accounts: { cache: { staleIfErrorMs: 0 } } },
    });
    try {
      await strict.query(userQuery(42));
      clock.advance(1_100);
      backends.accounts.inject({ fault: { kind: 'status', status: 503 } });
      const answer = await strict.query(userQuery(42));
      expect(codes(answer)).toEqual(['UPSTREAM_UNAVAILABLE']);
      expect((answer.body as { extensions?: unknown }).extensions).toBeUndefined();
    } finally {
      await strict.close();
    }
  });

  it('does not hide a 404', async () => {
    await gateway.query(userQuery(43));
    clock.advance(1_100);
    backends.accounts.inject({ fault: { kind: 'status', status: 404 } });
    expect(codes(await gateway.query(userQuery(43)))).toEqual(['NOT_FOUND']);
  });
});

describe('writes', () => {
  const ARTICLE = '{ article(id: "Article:7") { title } articles(first: 10) { edges { node { id title } } } }';

  it("a read after updateArticle sees the change, in the article, the list and the author's list", async () => {
    const authorId = seed.articles[6]!.author_id;
    const byAuthor = `{ user(id: "User:${authorId}") { articles(first: 50) { edges { node { id title } } } } }`;
    await gateway.query(ARTICLE);
    await gateway.query(byAuthor);
    expect((await gateway.query(ARTICLE)).body.data?.article).toEqual({ title: seed.articles[6]!.title }); // cached
    const update = await gateway.query(
      'mutation { updateArticle(id: "Article:7", patch: { title: "Fresh title" }) { id title } }',
    );
    expect(update.body).toEqual({ data: { updateArticle: { id: 'Article:7', title: 'Fresh title' } } });

    const after = await gateway.query(ARTICLE);
    expect(after.body.data?.article).toEqual({ title: 'Fresh title' });
    expect(
      (after.body.data?.articles as { edges: Array<{ node: { id: string; title: string } }> }).edges.find(
        (edge) => edge.node.id === 'Article:7',
      )?.node.title,
    ).toBe('Fresh title');
    const own = await gateway.query(byAuthor);
    expect(JSON.stringify(own.body.data)).toContain('Fresh title');
    expect(callsTo(backends.content.requests, '/articles/7').map((request) => request.method)).toEqual([
      'GET',
      'PATCH',
      'GET',
    ]);
  });

  it('a comment added through the gateway shows at once', async () => {
    const COMMENTS = '{ article(id: "Article:8") { comments(first: 100) { totalCount edges { node { body } } } } }';
    const before = (await gateway.query(COMMENTS)).body.data?.article as { comments: { totalCount: number } };
    await gateway.query(COMMENTS); // cached
    const added = await gateway.query(
      'mutation { addComment(articleId: "Article:8", body: "First!", authorId: "User:3") { body author { name } } }',
    );
    expect(added.body).toEqual({ data: { addComment: { body: 'First!', author: { name: nameOf(3) } } } });
    const after = (await gateway.query(COMMENTS)).body.data?.article as {
      comments: { totalCount: number; edges: Array<{ node: { body: string } }> };
    };
    expect(after.comments.totalCount).toBe(before.comments.totalCount + 1);
    expect(after.comments.edges.at(-1)?.node.body).toBe('First!');
    expect(callsTo(backends.comments.requests, '/articles/8/comments').map((request) => request.method)).toEqual([
      'GET',
      'POST',
      'GET',
    ]);
  });

  it('a mutation is never shared between callers: two identical ones make two calls', async () => {
    const create =
      'mutation { createArticle(input: { title: "Twice", body: "b", category: "tech", authorId: "User:2" }) { id } }';
    const [first, second] = await Promise.all([gateway.query(create), gateway.query(create)]);
    expect(first.body.data?.createArticle).not.toEqual(second.body.data?.createArticle);
    expect(
      backends.content.requests.filter((request) => request.method === 'POST' && request.url === '/articles'),
    ).toHaveLength(2);
  });
});
