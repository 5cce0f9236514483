/** Link-header pagination against the real comments service, including links that try to leave it. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { path } from '../../src/core/upstream-path.ts';
import { chainedConnection } from '../../src/pagination/chained-adapter.ts';
import type { ConnectionArgs } from '../../src/pagination/connection.ts';
import { createCursorCodec } from '../../src/pagination/cursor.ts';
import { linkHeaderPages } from '../../src/pagination/linked-pages.ts';
import { type Backends, seed, startBackends } from '../helpers/backends.ts';
import { startCanary } from '../helpers/canary.ts';
import { commentsPage } from '../helpers/records.ts';
import { boundSource } from '../helpers/sources.ts';

let backends: Backends;
let canary: Awaited<ReturnType<typeof startCanary>>;
let comments: ReturnType<typeof boundSource>;

const ARTICLE = [
  ...seed.comments.reduce(
    (counts, c) => counts.set(c.article_id, (counts.get(c.article_id) ?? 0) + 1),
    new Map<number, number>(),
  ),
].sort((a, b) => b[1] - a[1])[0]![0];
const ALL = seed.comments.filter((comment) => comment.article_id === ARTICLE).map((comment) => String(comment.id));
const codec = createCursorCodec();
const scope = codec.scope('comments by link', ARTICLE);

beforeAll(async () => {
  [backends, canary] = await Promise.all([startBackends(), startCanary()]);
  // Base URL with a path prefix, so that links outside it can be told apart.
  comments = boundSource(backends, 'comments', {
    responseCache: false,
    env: { COMMENTS_URL: `${backends.comments.url}/articles` },
  });
});
afterAll(async () => {
  await comments.close();
  await Promise.all([backends.close(), canary.close()]);
});
beforeEach(() => {
  backends.comments.clearRecords();
  backends.comments.clearFaults();
});

const PER_PAGE = 4;
const run = (args: ConnectionArgs) => {
  const pages = linkHeaderPages(comments, { path: path`/${ARTICLE}/comments`, query: { per_page: PER_PAGE } }, (body) =>
    commentsPage.parse(body).comments.map((comment) => comment.id),
  );
  return chainedConnection(args, scope, pages, { source: 'comments', linksBack: true });
};

describe('Link header pages', () => {
  it('follows rel="next" across pages', async () => {
    const page = await run({ first: ALL.length });
    expect(page.edges.map((edge) => edge.node)).toEqual(ALL);
    expect(page.pageInfo.hasNextPage).toBe(false);
    expect(backends.comments.requests.map((request) => request.url)).toEqual(
      Array.from({ length: Math.ceil(ALL.length / PER_PAGE) }, (_, i) =>
        i === 0
          ? `/articles/${ARTICLE}/comments?per_page=${PER_PAGE}`
          : `/articles/${ARTICLE}/comments?page=${i + 1}&per_page=${PER_PAGE}`,
      ),
    );
  });

  it('serves last alone from rel="last", and pages back by rel="prev"', async () => {
    const page = await run({ last: PER_PAGE + 2 });
    expect(page.edges.map((edge) => edge.node)).toEqual(ALL.slice(-(PER_PAGE + 2)));
    const before = await run({ last: 2, before: page.pageInfo.startCursor });
    expect(before.edges.map((edge) => edge.node)).toEqual(ALL.slice(-(PER_PAGE + 4), -(PER_PAGE + 2)));
  });

  it.each([
    ['another origin', () => `${canary.url}/articles/${ARTICLE}/comments?page=2`],
    ['a path outside the source prefix', () => `${backends.comments.url}/admin/export?page=2`],
    ['a protocol-relative URL', () => `//${canary.host}/articles/${ARTICLE}/comments?page=2`],
  ])('ignores a next link to %s', async (_name, target) => {
    const body = JSON.stringify({
      comments: seed.comments.filter((c) => c.article_id === ARTICLE).slice(0, PER_PAGE),
      page: 1,
      per_page: PER_PAGE,
      total_pages: 9,
      total: 99,
    });
    backends.comments.inject({
      fault: { kind: 'status', status: 200, headers: { link: `<${target()}>; rel="next"` }, body },
    });
    const page = await run({ first: 10 });
    expect(page.edges).toHaveLength(PER_PAGE);
    expect(page.pageInfo.hasNextPage).toBe(false);
    expect(backends.comments.requests).toHaveLength(1);
    expect(canary.hits()).toBe(0);
  });

  it.each(['//evil.example/x', `${'http'}://127.0.0.1:9/x`, '/../../admin', '@evil.example/x', 'relative'])(
    'refuses a cursor whose page reference is %s, with 0 calls',
    async (ref) => {
      await expect(run({ first: 2, after: scope.encode({ r: ref, i: 0 }) })).rejects.toMatchObject({
        code: 'INVALID_CURSOR',
      });
      expect(backends.comments.requests).toHaveLength(0);
      expect(canary.hits()).toBe(0);
    },
  );

  it('keeps the source credential out of page references', async () => {
    const weather = boundSource(backends, 'weather');
    try {
      const ref = weather.linkRef(
        `${backends.weather.url}/data/2.5/forecast?q=Oslo&appid=${backends.credentials.weatherAppid}&page=2`,
        { path: path`/data/2.5/forecast`, query: { q: 'Oslo' } },
      );
      expect(ref).toBe('/data/2.5/forecast?q=Oslo&page=2');
    } finally {
      await weather.close();
    }
  });
});
