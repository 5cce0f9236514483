/** Every field of the example graph, compared with the services' seed data. */
import { beforeEach, describe, expect, it } from 'vitest';
import { exampleUserToken } from '../../examples/backends/index.ts';
import { type Backends, callsTo, seed } from '../helpers/backends.ts';
import { codes, type TestGateway, useGateway } from '../helpers/gateway.ts';

let backends: Backends;
let gateway: TestGateway;

useGateway({}, (running) => {
  ({ backends, gateway } = running);
});
beforeEach(() => {
  for (const service of [backends.accounts, backends.content, backends.comments, backends.weather])
    service.clearRecords();
});

const userAt = (id: number) => seed.users[id - 1]!;
const articleAt = (id: number) => seed.articles[id - 1]!;

describe('users', () => {
  it('resolves a user by global id with every scalar field', async () => {
    const { body } = await gateway.query('{ user(id: "User:7") { id name email city createdAt } }');
    const user = userAt(7);
    expect(body).toEqual({
      data: { user: { id: 'User:7', name: user.name, email: user.email, city: user.city, createdAt: user.created_at } },
    });
  });

  it('answers null with NOT_FOUND for an id that does not exist, keeping sibling fields', async () => {
    const response = await gateway.query(
      '{ missing: user(id: "User:9999") { name } present: user(id: "User:1") { name } }',
    );
    expect(response.body.data).toEqual({ missing: null, present: { name: userAt(1).name } });
    expect(codes(response)).toEqual(['NOT_FOUND']);
    expect(response.body.errors?.[0]?.path).toEqual(['missing']);
    expect(response.body.errors?.[0]?.extensions).toMatchObject({ source: 'accounts' });
    // The batch endpoint answered 200 without this id: no upstream 404 to report.
    expect(response.body.errors?.[0]?.extensions).not.toHaveProperty('status');
  });

  it('refuses an id of another type with BAD_USER_INPUT and no upstream call', async () => {
    const response = await gateway.query('{ user(id: "Article:1") { name } }');
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(backends.accounts.requests).toHaveLength(0);
  });

  it('pages forward through all users with totalCount, visiting each once', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const { body } = await gateway.query(
        'query($after: String) { users(first: 100, after: $after) { totalCount edges { node { id } } pageInfo { hasNextPage hasPreviousPage endCursor } } }',
        {
          after,
        },
      );
      const users = body.data?.users as {
        totalCount: number;
        edges: Array<{ node: { id: string } }>;
        pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string };
      };
      expect(users.totalCount).toBe(seed.users.length);
      expect(users.pageInfo.hasPreviousPage).toBe(after !== null);
      seen.push(...users.edges.map((edge) => edge.node.id));
      if (!users.pageInfo.hasNextPage) break;
      after = users.pageInfo.endCursor;
    }
    expect(seen).toEqual(seed.users.map((user) => `User:${user.id}`));
    expect(callsTo(backends.accounts.requests, '/users?offset=')).toHaveLength(2);
  });

  it('defaults to 20 and refuses first outside 1..100', async () => {
    const { body } = await gateway.query('{ users { edges { node { id } } } }');
    expect((body.data?.users as { edges: unknown[] }).edges).toHaveLength(20);
    for (const first of [0, -1, 101]) {
      const response = await gateway.query(`{ users(first: ${first}) { edges { node { id } } } }`);
      expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    }
  });

  it("resolves viewer from the caller's forwarded token", async () => {
    const { body } = await gateway.query('{ viewer { id name } }', undefined, {
      authorization: `Bearer ${exampleUserToken(9)}`,
    });
    expect(body).toEqual({ data: { viewer: { id: 'User:9', name: userAt(9).name } } });
  });

  it.each([
    ['no token', {}],
    ['a wrong token', { authorization: 'Bearer not-a-user' }],
  ])('answers viewer with UNAUTHENTICATED for %s, keeping sibling fields', async (_name, headers) => {
    const response = await gateway.query('{ viewer { id } user(id: "User:4") { name } }', undefined, headers);
    expect(response.body.data).toEqual({ viewer: null, user: { name: userAt(4).name } });
    expect(response.body.errors?.map((error) => error.extensions)).toEqual([
      expect.objectContaining({ code: 'UNAUTHENTICATED', source: 'accounts', status: 401 }),
    ]);
  });

  it("maps a 403 for the caller's forwarded credential to FORBIDDEN", async () => {
    backends.accounts.inject({ fault: { kind: 'status', status: 403 }, path: /^\/me/, times: 1 });
    const response = await gateway.query('{ viewer { id } }', undefined, {
      authorization: `Bearer ${exampleUserToken(9)}-other`,
    });
    expect(response.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', source: 'accounts', status: 403 });
  });

  it("resolves a user's weather from their city", async () => {
    const user = userAt(3);
    const { body } = await gateway.query('{ user(id: "User:3") { weather { city } } }');
    expect(body.data).toEqual({ user: { weather: { city: user.city } } });
  });
});

describe('articles', () => {
  it('resolves an article with its author', async () => {
    const article = articleAt(42);
    const { body } = await gateway.query(
      '{ article(id: "Article:42") { id title body category createdAt author { id name } } }',
    );
    expect(body.data).toEqual({
      article: {
        id: 'Article:42',
        title: article.title,
        body: article.body,
        category: article.category,
        createdAt: article.created_at,
        author: { id: `User:${article.author_id}`, name: userAt(article.author_id).name },
      },
    });
  });

  it('answers null with NOT_FOUND for an unknown article', async () => {
    const response = await gateway.query('{ article(id: "Article:123456") { title } }');
    expect(response.body.data).toEqual({ article: null });
    expect(codes(response)).toEqual(['NOT_FOUND']);
  });

  it('batches the authors of 50 articles into exactly one accounts call', async () => {
    const { body } = await gateway.query('{ articles(first: 50) { edges { node { author { name } } } } }');
    const edges = (body.data?.articles as { edges: Array<{ node: { author: { name: string } } }> }).edges;
    expect(edges.map((edge) => edge.node.author.name)).toEqual(
      seed.articles.slice(0, 50).map((article) => userAt(article.author_id).name),
    );
    expect(backends.accounts.requests).toHaveLength(1);
    expect(backends.accounts.requests[0]?.url).toMatch(/^\/users\?ids=/);
  });

  it('filters by category and pages forward with opaque cursors', async () => {
    const expected = seed.articles
      .filter((article) => article.category === 'food')
      .slice(0, 30)
      .map((article) => `Article:${article.id}`);
    const first = await gateway.query(
      '{ articles(first: 12, category: "food") { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }',
    );
    const page1 = first.body.data?.articles as {
      edges: Array<{ cursor: string; node: { id: string } }>;
      pageInfo: { hasNextPage: boolean; endCursor: string };
    };
    expect(page1.pageInfo.hasNextPage).toBe(true);
    const second = await gateway.query(
      'query($after: String) { articles(first: 18, after: $after, category: "food") { edges { node { id } } } }',
      { after: page1.edges[4]!.cursor },
    );
    const page2 = second.body.data?.articles as { edges: Array<{ node: { id: string } }> };
    expect([...page1.edges.slice(0, 5), ...page2.edges].map((edge) => edge.node.id)).toEqual(expected.slice(0, 23));
  });

  it('refuses a cursor made for other filters with INVALID_CURSOR and no upstream call', async () => {
    const first = await gateway.query('{ articles(first: 2, category: "food") { pageInfo { endCursor } } }');
    const cursor = (first.body.data?.articles as { pageInfo: { endCursor: string } }).pageInfo.endCursor;
    backends.content.clearRecords();
    const response = await gateway.query(
      'query($after: String) { articles(first: 2, after: $after, category: "tech") { edges { node { id } } } }',
      { after: cursor },
    );
    expect(codes(response)).toEqual(['INVALID_CURSOR']);
    const tampered = await gateway.query(
      'query($after: String) { articles(first: 2, after: $after) { edges { node { id } } } }',
      { after: `${cursor}x` },
    );
    expect(codes(tampered)).toEqual(['INVALID_CURSOR']);
    expect(callsTo(backends.content.requests, '/articles')).toHaveLength(0);
  });

  it("lists a user's articles across several upstream pages", async () => {
    const authorId = seed.articles[0]!.author_id;
    const expected = seed.articles.filter((article) => article.author_id === authorId).map((article) => article.title);
    const { body } = await gateway.query(
      `{ user(id: "User:${authorId}") { articles(first: 100) { edges { node { title } } pageInfo { hasNextPage } } } }`,
    );
    const articles = (
      body.data?.user as { articles: { edges: Array<{ node: { title: string } }>; pageInfo: { hasNextPage: boolean } } }
    ).articles;
    expect(articles.edges.map((edge) => edge.node.title)).toEqual(expected);
    expect(articles.pageInfo.hasNextPage).toBe(false);
  });
});

describe('comments', () => {
  const articleWithMost = [
    ...seed.comments.reduce(
      (counts, comment) => counts.set(comment.article_id, (counts.get(comment.article_id) ?? 0) + 1),
      new Map<number, number>(),
    ),
  ].sort((a, b) => b[1] - a[1])[0]![0];
  const commentsOf = (articleId: number) => seed.comments.filter((comment) => comment.article_id === articleId);

  it('pages comments with totalCount and batched authors', async () => {
    const expected = commentsOf(articleWithMost);
    const { body } = await gateway.query(
      `{ article(id: "Article:${articleWithMost}") { comments(first: 3) { totalCount edges { node { id body createdAt author { name } } } pageInfo { hasNextPage } } } }`,
    );
    const comments = (
      body.data?.article as {
        comments: { totalCount: number; edges: Array<{ node: unknown }>; pageInfo: { hasNextPage: boolean } };
      }
    ).comments;
    expect(comments.totalCount).toBe(expected.length);
    expect(comments.pageInfo.hasNextPage).toBe(expected.length > 3);
    expect(comments.edges.map((edge) => edge.node)).toEqual(
      expected.slice(0, 3).map((comment) => ({
        id: `Comment:${comment.id}`,
        body: comment.body,
        createdAt: comment.created_at,
        author: { name: userAt(comment.author_id).name },
      })),
    );
    expect(backends.accounts.requests).toHaveLength(1);
  });

  it('continues after a cursor', async () => {
    const expected = commentsOf(articleWithMost).map((comment) => `Comment:${comment.id}`);
    const first = await gateway.query(
      `{ article(id: "Article:${articleWithMost}") { comments(first: 2) { edges { cursor } } } }`,
    );
    const cursor = (first.body.data?.article as { comments: { edges: Array<{ cursor: string }> } }).comments.edges[1]!
      .cursor;
    const next = await gateway.query(
      `query($after: String) { article(id: "Article:${articleWithMost}") { comments(first: 2, after: $after) { edges { node { id } } } } }`,
      { after: cursor },
    );
    expect(
      (next.body.data?.article as { comments: { edges: Array<{ node: { id: string } }> } }).comments.edges.map(
        (edge) => edge.node.id,
      ),
    ).toEqual(expected.slice(2, 4));
  });
});

describe('weather', () => {
  it('renames, flattens and converts the OpenWeatherMap shape', async () => {
    const city = seed.cities[0]!;
    const { body } = await gateway.query(
      '{ weather(city: "London") { city country temperature feelsLike humidity description summary windSpeed observedAt } }',
    );
    const weather = body.data?.weather as Record<string, unknown>;
    expect(weather).toMatchObject({ city: city.name, country: city.country });
    expect(weather.feelsLike).toBeCloseTo((weather.temperature as number) - 1.5, 5);
    expect(weather.observedAt).toBe('2026-01-01T12:00:00.000Z');
    expect(typeof weather.windSpeed).toBe('number');
    expect(weather.summary).toBe(
      `${weather.description}, ${Math.round(weather.temperature as number)} °C, feels like ${Math.round(weather.feelsLike as number)} °C`,
    );
    expect(callsTo(backends.weather.requests, '/data/2.5/weather?q=London&units=metric&appid=')).toHaveLength(1);
  });

  it('asks for eight forecast points a day', async () => {
    const { body } = await gateway.query(
      '{ weather(city: "Paris") { forecast(days: 2) { at temperature humidity description } } }',
    );
    const forecast = (body.data?.weather as { forecast: Array<{ at: string }> }).forecast;
    expect(forecast).toHaveLength(16);
    expect(forecast[0]?.at).toBe('2026-01-01T15:00:00.000Z');
    expect(callsTo(backends.weather.requests, '/data/2.5/forecast?q=Paris&cnt=16&')).toHaveLength(1);
  });

  it('answers NOT_FOUND for an unknown city and BAD_USER_INPUT for days out of range', async () => {
    expect(codes(await gateway.query('{ weather(city: "Atlantis") { city } }'))).toEqual(['NOT_FOUND']);
    expect(codes(await gateway.query('{ weather(city: "Paris") { forecast(days: 9) { at } } }'))).toEqual([
      'BAD_USER_INPUT',
    ]);
  });
});

describe('node', () => {
  it('fetches users and articles by global id', async () => {
    const { body } = await gateway.query(
      '{ a: node(id: "User:5") { __typename id ... on User { name } } b: node(id: "Article:5") { __typename id ... on Article { title } } }',
    );
    expect(body.data).toEqual({
      a: { __typename: 'User', id: 'User:5', name: userAt(5).name },
      b: { __typename: 'Article', id: 'Article:5', title: articleAt(5).title },
    });
  });

  it('refuses malformed and unfetchable ids', async () => {
    expect(codes(await gateway.query('{ node(id: "nonsense") { id } }'))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gateway.query('{ node(id: "Comment:1") { id } }'))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await gateway.query('{ node(id: "User:424242") { id } }'))).toEqual(['NOT_FOUND']);
  });
});

describe('search: a union over one REST answer, its member picked by the answer\'s own "type"', () => {
  it('answers categories, then articles, each as its member type, with member fields through fragments', async () => {
    const { body } = await gateway.query(
      '{ search(text: "te", first: 6) { __typename ... on Category { name articleCount } ... on Article { id title author { name } } } }',
    );
    expect(body.errors).toBeUndefined();
    const categories = [...new Set(seed.articles.map((article) => article.category))]
      .filter((name) => name.includes('te'))
      .sort()
      .map((name) => ({
        __typename: 'Category',
        name,
        articleCount: seed.articles.filter((article) => article.category === name).length,
      }));
    const articles = seed.articles
      .filter((article) => article.title.toLowerCase().includes('te'))
      .map((article) => ({
        __typename: 'Article',
        id: `Article:${article.id}`,
        title: article.title,
        author: { name: userAt(article.author_id).name },
      }));
    expect(body.data?.search).toEqual([...categories, ...articles].slice(0, 6));
    // One search call, and the authors of every article found in one batched accounts call.
    expect(backends.content.requests.filter((request) => request.url.startsWith('/search'))).toHaveLength(1);
    expect(backends.accounts.requests).toHaveLength(1);
  });

  it('a member type reads its own fields: a category pages through its articles', async () => {
    const { body } = await gateway.query(
      '{ search(text: "food", first: 1) { ... on Category { name articles(first: 2) { edges { node { category } } } } } }',
    );
    expect(body.data?.search).toEqual([
      { name: 'food', articles: { edges: [{ node: { category: 'food' } }, { node: { category: 'food' } }] } },
    ]);
  });
});

describe("the README's declared-features query: a union, a chained call and a computed field", () => {
  it('answers as the README shows', async () => {
    const { body } = await gateway.query(
      '{ search(text: "ra", first: 2) { __typename ... on Category { name articleCount } ... on Article { title authorWeather { city summary } } } }',
    );
    expect(body.errors).toBeUndefined();
    const article = seed.articles.find((candidate) => candidate.title.toLowerCase().includes('ra'));
    const city = seed.users.find((user) => user.id === article?.author_id)?.city;
    expect(body.data?.search).toEqual([
      {
        __typename: 'Category',
        name: 'travel',
        articleCount: seed.articles.filter((candidate) => candidate.category === 'travel').length,
      },
      {
        __typename: 'Article',
        title: article?.title,
        authorWeather: { city, summary: expect.stringMatching(/^[a-z ]+, -?\d+ °C, feels like -?\d+ °C$/) },
      },
    ]);
  });
});

describe('declared features in a document asked for often (compiled by graphql-jit)', () => {
  it('answers the union, the chain and the computed field right on every ask', async () => {
    const document =
      'query($text: String!, $first: Int) { search(text: $text, first: $first) { __typename ... on Category { name } ... on Article { id authorWeather { city } } } }';
    const categories = [...new Set(seed.articles.map((article) => article.category))]
      .filter((name) => name.includes('ra'))
      .sort()
      .map((name) => ({ __typename: 'Category', name }));
    const articles = seed.articles
      .filter((article) => article.title.toLowerCase().includes('ra'))
      .map((article) => ({
        __typename: 'Article',
        id: `Article:${article.id}`,
        authorWeather: { city: userAt(article.author_id).city },
      }));
    // Each ask with other variables: executed again (compiled after the tenth), not given from the result cache.
    for (let first = 1; first <= 12; first++) {
      const { body } = await gateway.query(document, { text: 'ra', first });
      expect(body).toEqual({ data: { search: [...categories, ...articles].slice(0, first) } });
    }
  });
});

describe('the README sample query', () => {
  it('answers as the README shows, with the users of all levels batched per level', async () => {
    const { body } = await gateway.query(
      '{ user(id: "User:1") { name city weather { temperature description } articles(first: 2) { edges { node { title comments(first: 1) { totalCount edges { node { body author { name } } } } } } pageInfo { hasNextPage } } } }',
    );
    expect(body.errors).toBeUndefined();
    const user = body.data?.user as {
      name: string;
      articles: { edges: Array<{ node: { title: string; comments: { totalCount: number } } }> };
    };
    const articles = seed.articles.filter((article) => article.author_id === 1).slice(0, 2);
    expect(user.name).toBe(userAt(1).name);
    expect(user.articles.edges.map((edge) => edge.node.title)).toEqual(articles.map((article) => article.title));
    expect(user.articles.edges.map((edge) => edge.node.comments.totalCount)).toEqual(
      articles.map((article) => seed.comments.filter((comment) => comment.article_id === article.id).length),
    );
    // One accounts call for the user, one for the comment authors of both articles.
    expect(backends.accounts.requests.map((request) => request.url)).toHaveLength(2);
  });
});
