/** OAuth2 client credentials against the content service's real token endpoint. */
import { beforeEach, describe, expect, it } from 'vitest';
import { type Backends, callsTo, seed } from '../helpers/backends.ts';
import { codes, startGateway, type TestGateway, useGateway } from '../helpers/gateway.ts';
import { manualClock } from '../helpers/time.ts';

let backends: Backends;
let gateway: TestGateway;
/** The gateway's clock: token lifetimes pass when the test says so. */
const clock = manualClock();

const tokenCalls = () => callsTo(backends.content.requests, '/oauth/token').length;
const articleCalls = () => callsTo(backends.content.requests, '/articles/').length;
const ARTICLE = '{ article(id: "Article:1") { title } }';
const expected = { data: { article: { title: seed.articles[0]!.title } } };

useGateway({ responseCache: false, now: clock.now, backends: { tokenTtlSeconds: 1 } }, (running) => {
  ({ backends, gateway } = running);
});
beforeEach(() => backends.content.clearRecords());

describe('OAuth2 client credentials', () => {
  it('fetches one token and reuses it while it is valid', async () => {
    backends.content.setTokenTtl(3600);
    backends.content.revokeTokens();
    await gateway.query(ARTICLE); // 401 → refresh → retry
    backends.content.clearRecords();
    const answers = await Promise.all(Array.from({ length: 10 }, () => gateway.query(ARTICLE)));
    expect(answers.map((answer) => answer.body)).toEqual(Array(10).fill(expected));
    expect(tokenCalls()).toBe(0);
    const request = callsTo(backends.content.requests, '/articles/1')[0];
    expect(request?.headers.authorization).toMatch(/^Bearer [\w-]+$/);
  });

  it('refreshes an expired token once for 25 concurrent requests', async () => {
    backends.content.setTokenTtl(1);
    backends.content.revokeTokens();
    await gateway.query(ARTICLE); // now holds a 1 s token, refreshed after 0.5 s
    clock.advance(1_100);
    backends.content.clearRecords();
    // 25 different articles, so that no two calls are shared in flight.
    const answers = await Promise.all(
      Array.from({ length: 25 }, (_, i) => gateway.query(`{ article(id: "Article:${i + 1}") { title } }`)),
    );
    expect(answers.map((answer) => answer.body.data)).toEqual(
      seed.articles.slice(0, 25).map((article) => ({ article: { title: article.title } })),
    );
    expect(tokenCalls()).toBe(1);
    expect(articleCalls()).toBe(25);
    expect(backends.content.requests.filter((request) => request.url === '/oauth/token')).toHaveLength(1);
  });

  it('after a 401, refreshes once and retries once', async () => {
    backends.content.setTokenTtl(3600);
    await gateway.query(ARTICLE);
    backends.content.revokeTokens();
    backends.content.clearRecords();
    const answer = await gateway.query(ARTICLE);
    expect(answer.body).toEqual(expected);
    expect(backends.content.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      'GET /articles/1',
      'POST /oauth/token',
      'GET /articles/1',
    ]);
  });

  it('many concurrent 401s share one refresh', async () => {
    backends.content.setTokenTtl(3600);
    await gateway.query(ARTICLE);
    backends.content.revokeTokens();
    backends.content.clearRecords();
    const answers = await Promise.all(Array.from({ length: 10 }, () => gateway.query(ARTICLE)));
    expect(answers.map((answer) => answer.body)).toEqual(Array(10).fill(expected));
    expect(tokenCalls()).toBe(1);
  });

  it('does not loop when the fresh token is refused too', async () => {
    backends.content.inject({ fault: { kind: 'status', status: 401 }, path: /^\/articles/ });
    try {
      const answer = await gateway.query(ARTICLE);
      expect(codes(answer)).toEqual(['UPSTREAM_ERROR']);
      expect(answer.body.errors?.[0]?.extensions).toMatchObject({ source: 'content', status: 401 });
      expect(articleCalls()).toBe(2);
      expect(tokenCalls()).toBe(1);
    } finally {
      backends.content.clearFaults();
    }
  });

  it('a refused client secret is an UPSTREAM_ERROR with the token endpoint status', async () => {
    const wrong = await startGateway(backends, {
      responseCache: false,
      env: { CONTENT_CLIENT_SECRET: 'wrong-secret' },
    });
    try {
      const answer = await wrong.query(`${ARTICLE.slice(0, -1)} weather(city: "Rome") { city } }`);
      expect(answer.body.data).toEqual({ article: null, weather: { city: 'Rome' } });
      expect(answer.body.errors?.[0]?.extensions).toMatchObject({
        code: 'UPSTREAM_ERROR',
        source: 'content',
        status: 401,
        requestId: expect.any(String),
      });
    } finally {
      await wrong.close();
    }
  });
});
