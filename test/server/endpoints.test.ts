/** The HTTP surface besides GraphQL itself: GraphiQL, health, readiness, request ids, error shapes. */
import { describe, expect, it } from 'vitest';
import type { Backends } from '../helpers/backends.ts';
import { codes, postGraphQL, startGateway, type TestGateway, useGateway } from '../helpers/gateway.ts';

let backends: Backends;
let gateway: TestGateway;

useGateway({}, (running) => {
  ({ backends, gateway } = running);
});

describe('GraphiQL', () => {
  it('is served from the package: the page loads nothing from another host', async () => {
    const response = await fetch(`${gateway.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('GraftQL');
    expect(page).not.toMatch(/<(script|link|img|iframe)\b[^>]*\b(src|href)=["']?(https?:)?\/\//i);
    expect(page).not.toMatch(/url\(\s*["']?(https?:)?\/\//i);
    expect(page).not.toMatch(/import\(\s*["'](https?:)?\/\//i);
  });

  it('is off in production mode', async () => {
    const production = await startGateway(backends, { server: { production: true } });
    try {
      const response = await fetch(`${production.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(await response.text()).not.toContain('<html');
    } finally {
      await production.close();
    }
  });
});

describe('health and readiness', () => {
  it('/healthz answers 200', async () => {
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
  });

  it('/readyz answers 200 when every source answers', async () => {
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(200);
  });

  it('/readyz answers 503 while a required source is down, 200 when that source is optional', async () => {
    const down = await startGateway(backends, { env: { WEATHER_URL: 'http://127.0.0.1:9' } });
    const optional = await startGateway(backends, {
      env: { WEATHER_URL: 'http://127.0.0.1:9' },
      sources: { weather: { optional: true } },
    });
    try {
      expect((await fetch(`${down.url}/readyz`)).status).toBe(503);
      expect((await fetch(`${optional.url}/readyz`)).status).toBe(200);
    } finally {
      await Promise.all([down.close(), optional.close()]);
    }
  });
});

describe('request ids', () => {
  it('echoes a well-formed X-Request-Id and tags upstream errors with it', async () => {
    const response = await gateway.query('{ user(id: "User:0") { name } }', undefined, {
      'x-request-id': 'trace-abc.123',
    });
    expect(response.headers.get('x-request-id')).toBe('trace-abc.123');
    expect(response.body.errors?.[0]?.extensions.requestId).toBe('trace-abc.123');
  });

  it('replaces a malformed one', async () => {
    const response = await gateway.query('{ __typename }', undefined, { 'x-request-id': 'bad id with spaces' });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('every client-visible error has a code', () => {
  it.each([
    ['a syntax error', { query: '{ user(id: ' }, 'GRAPHQL_PARSE_FAILED'],
    ['an unknown field', { query: '{ nope }' }, 'GRAPHQL_VALIDATION_FAILED'],
    ['a missing variable', { query: 'query($id: ID!) { user(id: $id) { name } }' }, 'BAD_USER_INPUT'],
    [
      'a variable of the wrong type',
      { query: 'query($n: Int) { users(first: $n) { totalCount } }', variables: { n: 'many' } },
      'BAD_USER_INPUT',
    ],
    ['no query at all', {}, 'BAD_REQUEST'],
  ])('%s', async (_name, payload, code) => {
    const response = await postGraphQL(`${gateway.url}/graphql`, payload);
    expect(codes(response)).toEqual([code]);
    expect(response.body.errors?.[0]?.extensions.requestId).toEqual(expect.any(String));
  });

  it('a mutation sent as a simple form POST is refused by the CSRF check, before any upstream call', async () => {
    backends.content.clearRecords();
    const body = new URLSearchParams({ query: 'mutation { deleteArticle(id: "Article:1") }' });
    const response = await fetch(`${gateway.url}/graphql`, { method: 'POST', body });
    const answer = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(response.status).toBe(403);
    expect(answer.errors.map((error) => error.extensions.code)).toEqual(['CSRF_ERROR']);
    expect(backends.content.requests).toHaveLength(0);
  });

  it('a GET query needs the preflight header', async () => {
    const url = `${gateway.url}/graphql?query=${encodeURIComponent('{ __typename }')}`;
    expect((await fetch(url)).status).toBe(403);
    const allowed = await fetch(url, { headers: { 'graphql-require-preflight': '1' } });
    expect(await allowed.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('a mutation sent with GET is 405 with Allow: POST, before any upstream call', async () => {
    backends.content.clearRecords();
    const url = `${gateway.url}/graphql?query=${encodeURIComponent('mutation { deleteArticle(id: "Article:1") }')}`;
    const response = await fetch(url, { headers: { 'graphql-require-preflight': '1' } });
    const answer = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect([response.status, response.headers.get('allow')]).toEqual([405, 'POST']);
    expect(answer.errors.map((error) => error.extensions.code)).toEqual(['BAD_REQUEST']);
    expect(backends.content.requests).toHaveLength(0);
  });

  it('a body over 1 MiB gets 413 PAYLOAD_TOO_LARGE before any upstream call', async () => {
    backends.accounts.clearRecords();
    const body = JSON.stringify({
      query: '{ user(id: "User:1") { name } }',
      variables: { padding: 'x'.repeat(1_100_000) },
    });
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const answer = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(response.status).toBe(413);
    expect(answer.errors.map((error) => error.extensions.code)).toEqual(['PAYLOAD_TOO_LARGE']);
    expect(backends.accounts.requests).toHaveLength(0);
  });

  it('the direct JSON path and Yoga (GET) answer a query alike', async () => {
    const query = '{ user(id: "User:2") { id name } missing: user(id: "User:99999") { id } }';
    const post = await postGraphQL(`${gateway.url}/graphql`, { query });
    const get = await fetch(`${gateway.url}/graphql?query=${encodeURIComponent(query)}`, {
      headers: { 'graphql-require-preflight': '1', accept: 'application/graphql-response+json' },
    });
    const viaYoga = (await get.json()) as typeof post.body;
    const strip = (body: typeof post.body) => ({
      data: body.data,
      errors: body.errors?.map(({ message, path, extensions: { requestId: _id, ...extensions } }) => ({
        message,
        path,
        extensions,
      })),
    });
    expect(strip(post.body)).toEqual(strip(viaYoga));
    expect([post.status, get.status]).toEqual([200, 200]);
  });

  it('a document asked for often (compiled by graphql-jit) answers and fails exactly as before', async () => {
    const query = 'query($id: ID!) { user(id: $id) { name } }';
    const answers = [];
    for (let i = 0; i < 12; i++)
      answers.push(
        await postGraphQL(`${gateway.url}/graphql`, { query, variables: i % 2 ? { id: 'User:3' } : { id: null } }),
      );
    expect(answers.slice(-2).map((answer) => answer.body.data?.user ?? codes(answer))).toEqual(
      [{ name: expect.any(String) }, ['BAD_USER_INPUT']].reverse(),
    );
    expect(new Set(answers.map((answer) => JSON.stringify(answer.body.data ?? codes(answer)))).size).toBe(2);
  });

  it('a malformed JSON body', async () => {
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(response.status).toBe(400);
    expect(body.errors.map((error) => error.extensions.code)).toEqual(['BAD_REQUEST']);
  });
});
