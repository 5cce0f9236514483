/** The batch contract against the real example services, calls counted with their recorders. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { path } from '../../src/core/upstream-path.ts';
import { type BatchStyle, batchLoader, groupLoader, singleLoader } from '../../src/loaders/batch-loaders.ts';
import { type Backends, seed, startBackends } from '../helpers/backends.ts';
import { accountsBatch, articleRecord, contentBatch } from '../helpers/records.ts';
import { boundSource } from '../helpers/sources.ts';
import { until } from '../helpers/time.ts';

let backends: Backends;
let accounts: ReturnType<typeof boundSource>;
let content: ReturnType<typeof boundSource>;

beforeAll(async () => {
  backends = await startBackends();
  accounts = boundSource(backends, 'accounts', { responseCache: false });
  content = boundSource(backends, 'content', { responseCache: false });
});
afterAll(async () => {
  await Promise.all([accounts.close(), content.close()]);
  await backends.close();
});
beforeEach(() => {
  backends.accounts.clearRecords();
  backends.accounts.clearFaults();
  backends.content.clearRecords();
});

const users = (style: BatchStyle, maxBatchSize = 100) =>
  batchLoader({
    source: accounts,
    path: style.kind === 'postBody' ? path`/users/batch` : path`/users`,
    style,
    shape: accountsBatch,
    rowsOf: (answer) => answer.users,
    keyPath: 'id',
    maxBatchSize,
    entity: 'User',
  });
const nameOf = (id: number) => seed.users[id - 1]!.name;
const settled = (promises: Array<Promise<unknown>>) => Promise.allSettled(promises);

describe('batchLoader', () => {
  it('matches rows answered in another order, and gives a missing key its own NOT_FOUND', async () => {
    const loader = users({ kind: 'commaList', param: 'ids' });
    const [nine, two, missing] = await settled([loader.load('9'), loader.load('2'), loader.load('999')]);
    expect(nine).toMatchObject({ status: 'fulfilled', value: { id: '9', name: nameOf(9) } });
    expect(two).toMatchObject({ status: 'fulfilled', value: { id: '2', name: nameOf(2) } });
    expect(missing).toMatchObject({ status: 'rejected', reason: { code: 'NOT_FOUND', source: 'accounts' } });
    expect(backends.accounts.requests.map((request) => request.url)).toEqual(['/users?ids=9%2C2%2C999']);
  });

  it('sends a POST body batch', async () => {
    const loader = users({ kind: 'postBody', field: 'ids' });
    const found = await Promise.all([loader.load('4'), loader.load('3')]);
    expect(found.map((user) => user.name)).toEqual([nameOf(4), nameOf(3)]);
    expect(backends.accounts.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
      'POST /users/batch',
    ]);
  });

  it('splits a batch larger than the max size into parallel calls', async () => {
    const loader = users({ kind: 'commaList', param: 'ids' }, 2);
    // Each call is held 400 ms (under the hedge delay): in parallel, all three reach the service before any is answered.
    backends.accounts.setLatency(400);
    let answered = 0;
    const loads = ['1', '2', '3', '4', '5'].map((id) => loader.load(id).finally(() => (answered += 1)));
    await until(() => backends.accounts.requests.length === 3, 'the three calls');
    expect(answered).toBe(0);
    const found = await Promise.all(loads);
    backends.accounts.setLatency(0);
    expect(found.map((user) => user.id)).toEqual(['1', '2', '3', '4', '5']);
    expect(backends.accounts.requests.map((request) => request.url)).toEqual([
      '/users?ids=1%2C2',
      '/users?ids=3%2C4',
      '/users?ids=5',
    ]);
  });

  it('fails only the keys of a failing chunk', async () => {
    const loader = users({ kind: 'commaList', param: 'ids' }, 2);
    backends.accounts.inject({ fault: { kind: 'status', status: 503 }, path: /ids=3/ });
    const results = await settled(['1', '2', '3', '4', '5'].map((id) => loader.load(id)));
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'rejected',
      'fulfilled',
    ]);
    expect(results[2]).toMatchObject({ reason: { code: 'UPSTREAM_UNAVAILABLE' } });
  });

  it('refuses a key that would smuggle more keys into a comma list, without failing its siblings', async () => {
    const loader = users({ kind: 'commaList', param: 'ids' });
    const [bad, good] = await settled([loader.load('1,2'), loader.load('6')]);
    expect(bad).toMatchObject({ status: 'rejected', reason: { code: 'BAD_USER_INPUT' } });
    expect(good).toMatchObject({ status: 'fulfilled', value: { id: '6' } });
    expect(backends.accounts.requests.map((request) => request.url)).toEqual(['/users?ids=6']);
  });
});

describe('groupLoader', () => {
  it('loads a list per key with a repeated parameter; a key without rows gets an empty list', async () => {
    const loader = groupLoader({
      source: content,
      path: path`/articles`,
      style: { kind: 'repeated', param: 'author_id' },
      query: { per_author: 2 },
      shape: contentBatch,
      rowsOf: (answer) => answer.data,
      keyPath: 'author_id',
      maxBatchSize: 100,
    });
    const authors = [seed.articles[0]!.author_id, seed.articles[1]!.author_id];
    const [first, second, nobody] = await Promise.all([
      ...authors.map((id) => loader.load(String(id))),
      loader.load('100000'),
    ]);
    const expected = (id: number) =>
      seed.articles
        .filter((article) => article.author_id === id)
        .slice(0, 2)
        .map((article) => String(article.id));
    expect(first?.map((article) => article.id)).toEqual(expected(authors[0]!));
    expect(second?.map((article) => article.id)).toEqual(expected(authors[1]!));
    expect(nobody).toEqual([]);
    const calls = backends.content.requests.filter((request) => request.url.startsWith('/articles'));
    expect(calls.map((request) => request.url)).toEqual([
      `/articles?per_author=2&author_id=${authors[0]}&author_id=${authors[1]}&author_id=100000`,
    ]);
  });
});

describe('singleLoader', () => {
  it('makes parallel single calls, at most `concurrency` at a time, one per distinct key', async () => {
    let inFlight = 0;
    let most = 0;
    const loader = singleLoader(
      async (id) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        try {
          return await content.fetch(articleRecord, { path: path`/articles/${id}` });
        } finally {
          inFlight -= 1;
        }
      },
      { concurrency: 3 },
    );
    const ids = ['1', '2', '3', '4', '5', '6', '7', '1'];
    const articles = await Promise.all(ids.map((id) => loader.load(id)));
    expect(articles.map((article) => article.id)).toEqual(ids);
    expect(most).toBe(3);
    expect(backends.content.requests.filter((request) => request.url.startsWith('/articles/'))).toHaveLength(7);
  });
});
