/**
 * Ids that try to escape their path segment. Each is refused with
 * BAD_USER_INPUT before any upstream call, or reaches the upstream as one
 * encoded segment (where the service answers 404 → NOT_FOUND). The request
 * line the service received is asserted exactly; the canary gets nothing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Backends, startBackends } from '../helpers/backends.ts';
import { startCanary } from '../helpers/canary.ts';
import { codes, startGateway, type TestGateway } from '../helpers/gateway.ts';

let backends: Backends;
let gateway: TestGateway;
let canary: Awaited<ReturnType<typeof startCanary>>;

beforeAll(async () => {
  [backends, canary] = await Promise.all([startBackends(), startCanary()]);
  gateway = await startGateway(backends);
});
afterAll(async () => {
  await gateway.close();
  await Promise.all([backends.close(), canary.close()]);
});
beforeEach(() => backends.content.clearRecords());

const articleCalls = () => backends.content.requests.filter((request) => !request.url.startsWith('/oauth'));

describe('article(id) with hostile ids', () => {
  it.each(['..', '.', ''])('refuses %j with BAD_USER_INPUT and no upstream call', async (id) => {
    const response = await gateway.query(
      'query($id: ID!) { article(id: $id) { title } weather(city: "Rome") { city } }',
      { id: `Article:${id}` },
    );
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.body.data).toEqual({ article: null, weather: { city: 'Rome' } });
    expect(articleCalls()).toHaveLength(0);
  });

  it.each(['a\r\nX-Injected: 1', 'a\u0000b'])('refuses control characters in %j', async (id) => {
    const response = await gateway.query('query($id: ID!) { article(id: $id) { title } }', { id: `Article:${id}` });
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(articleCalls()).toHaveLength(0);
  });

  it.each([
    ['a/b', '/articles/a%2Fb'],
    ['1?x=y', '/articles/1%3Fx%3Dy'],
    ['1#frag', '/articles/1%23frag'],
    ['%2e%2e', '/articles/%252e%252e'],
    ['../users/1', '/articles/..%2Fusers%2F1'],
    ['..\\..\\x', '/articles/..%5C..%5Cx'],
  ])('sends %j as the single segment %s', async (id, requestLine) => {
    const response = await gateway.query('query($id: ID!) { article(id: $id) { title } }', { id: `Article:${id}` });
    expect(codes(response)).toEqual(['NOT_FOUND']);
    expect(articleCalls().map((request) => request.url)).toEqual([requestLine]);
  });

  it('keeps a protocol-relative or absolute URL on the configured origin', async () => {
    for (const id of [`//${canary.host}/x`, `${canary.url}/x`]) {
      const response = await gateway.query('query($id: ID!) { article(id: $id) { title } }', { id: `Article:${id}` });
      expect(codes(response)).toEqual(['NOT_FOUND']);
    }
    expect(articleCalls().map((request) => request.url)).toEqual([
      `/articles/${encodeURIComponent(`//${canary.host}/x`)}`,
      `/articles/${encodeURIComponent(`${canary.url}/x`)}`,
    ]);
    expect(articleCalls().every((request) => request.headers.host === new URL(backends.content.url).host)).toBe(true);
    expect(canary.hits()).toBe(0);
  });
});

describe('user(id) through the batch endpoint', () => {
  it('cannot smuggle extra ids into ?ids=', async () => {
    backends.accounts.clearRecords();
    const response = await gateway.query('{ user(id: "User:1,2") { name } }');
    expect(codes(response)).toEqual(['BAD_USER_INPUT']);
    expect(backends.accounts.requests).toHaveLength(0);
  });

  it('encodes query syntax inside an id', async () => {
    backends.accounts.clearRecords();
    const response = await gateway.query('{ user(id: "User:1&ids=2") { name } }');
    expect(codes(response)).toEqual(['NOT_FOUND']);
    expect(backends.accounts.requests.map((request) => request.url)).toEqual(['/users?ids=1%26ids%3D2']);
  });
});
