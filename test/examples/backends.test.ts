/** The example services behave as PRODUCT.md describes: tests and benchmarks rely on it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTICLE_COUNT, buildSeed, COMMENT_COUNT, USER_COUNT } from '../../examples/backends/seed.ts';
import { type Backends, seed, startBackends } from '../helpers/backends.ts';

let backends: Backends;

beforeAll(async () => {
  backends = await startBackends({ weatherRateLimit: 3 });
});
afterAll(() => backends.close());

const key = () => ({ 'x-api-key': backends.credentials.accountsApiKey });
const basic = () => ({
  authorization: `Basic ${Buffer.from(`${backends.credentials.commentsUser}:${backends.credentials.commentsPassword}`).toString('base64')}`,
});

describe('seed data', () => {
  it('has at least the promised sizes and is deterministic', () => {
    expect(seed.users.length).toBeGreaterThanOrEqual(200);
    expect(seed.articles.length).toBeGreaterThanOrEqual(2_000);
    expect(seed.comments.length).toBeGreaterThanOrEqual(10_000);
    expect(seed.cities.length).toBeGreaterThanOrEqual(50);
    expect(buildSeed()).toEqual(seed);
    expect([USER_COUNT, ARTICLE_COUNT, COMMENT_COUNT]).toEqual([
      seed.users.length,
      seed.articles.length,
      seed.comments.length,
    ]);
  });
});

describe('accounts', () => {
  it('401 without or with a wrong key', async () => {
    expect((await fetch(`${backends.accounts.url}/users/1`)).status).toBe(401);
    expect((await fetch(`${backends.accounts.url}/users/1`, { headers: { 'x-api-key': 'wrong' } })).status).toBe(401);
  });

  it('pages by offset/limit with a total, and batches by ids', async () => {
    const page = (await (
      await fetch(`${backends.accounts.url}/users?offset=10&limit=5`, { headers: key() })
    ).json()) as { total: number; users: Array<{ id: number }> };
    expect(page.total).toBe(seed.users.length);
    expect(page.users.map((user) => user.id)).toEqual([11, 12, 13, 14, 15]);
    const batch = (await (await fetch(`${backends.accounts.url}/users?ids=9,2,999`, { headers: key() })).json()) as {
      users: Array<{ id: number }>;
    };
    expect(batch.users.map((user) => user.id)).toEqual([2, 9]);
  });

  it('sends an ETag and answers 304 to If-None-Match', async () => {
    const first = await fetch(`${backends.accounts.url}/users/3`, { headers: key() });
    expect(first.headers.get('cache-control')).toBe('max-age=30');
    const etag = first.headers.get('etag')!;
    const second = await fetch(`${backends.accounts.url}/users/3`, { headers: { ...key(), 'if-none-match': etag } });
    expect(second.status).toBe(304);
  });
});

describe('comments', () => {
  it('pages by number with total_pages and Link headers, in a vendor JSON type', async () => {
    const articleId = seed.comments[0]!.article_id;
    const response = await fetch(`${backends.comments.url}/articles/${articleId}/comments?page=1&per_page=1`, {
      headers: basic(),
    });
    expect(response.headers.get('content-type')).toMatch(/^application\/vnd\.comments\.v1\+json/);
    expect(response.headers.get('link')).toContain('rel="next"');
    const body = (await response.json()) as { total_pages: number; total: number };
    expect(body.total_pages).toBe(body.total);
  });

  it('serves the first per_article comments of many articles in one flat list', async () => {
    const first = (article: number, count: number) =>
      seed.comments
        .filter((comment) => comment.article_id === article)
        .slice(0, count)
        .map((comment) => comment.id);
    const response = await fetch(
      `${backends.comments.url}/comments?article_id=2&article_id=1&article_id=2&per_article=2`,
      { headers: basic() },
    );
    const { comments } = (await response.json()) as { comments: Array<{ id: number }> };
    expect(comments.map((comment) => comment.id)).toEqual([...first(2, 2), ...first(1, 2)]);
    for (const bad of ['per_article=2', 'article_id=1&per_article=0', 'article_id=1&per_article=101']) {
      expect((await fetch(`${backends.comments.url}/comments?${bad}`, { headers: basic() })).status).toBe(400);
    }
  });

  it('takes form-encoded writes only', async () => {
    const url = `${backends.comments.url}/articles/1/comments`;
    expect(
      (await fetch(url, { method: 'POST', headers: { ...basic(), 'content-type': 'application/json' }, body: '{}' }))
        .status,
    ).toBe(415);
    const created = await fetch(url, {
      method: 'POST',
      headers: { ...basic(), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'body=hello&author_id=4',
    });
    expect(created.status).toBe(201);
  });
});

describe('weather', () => {
  it('sends X-RateLimit headers, then 429 with Retry-After when the budget is spent', async () => {
    const url = `${backends.weather.url}/data/2.5/weather?q=London&appid=${backends.credentials.weatherAppid}`;
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await fetch(url);
      expect(response.status).toBe(200);
      remaining.push(response.headers.get('x-ratelimit-remaining')!);
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const limited = await fetch(url);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(backends.weather.rateLimited()).toBe(1);
    backends.weather.setRateLimit(600);
  });

  it('401 without appid', async () => {
    expect((await fetch(`${backends.weather.url}/data/2.5/weather?q=London`)).status).toBe(401);
  });
});

describe('fault knobs', () => {
  it('apply to an even share of requests, a limited number of times, and are recorded', async () => {
    backends.accounts.clearRecords();
    backends.accounts.inject({ fault: { kind: 'status', status: 503 }, share: 0.5, times: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await fetch(`${backends.accounts.url}/users/1`, { headers: key() })).status);
    expect(statuses).toEqual([200, 503, 200, 503, 200, 200]);
    expect(backends.accounts.requests).toHaveLength(6);
    backends.accounts.clearFaults();
  });

  it('add latency', async () => {
    backends.accounts.setLatency(150);
    const started = performance.now();
    await fetch(`${backends.accounts.url}/users/1`, { headers: key() });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    backends.accounts.setLatency(0);
  });
});
