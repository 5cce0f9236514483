/**
 * Each upstream failure family this layer owns, provoked over real sockets:
 * it yields its documented code, sibling fields keep their data, and the
 * gateway keeps serving.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Fault } from '../../examples/backends/index.ts';
import { type Backends, seed, startBackends } from '../helpers/backends.ts';
import { startCanary } from '../helpers/canary.ts';
import { type GraphQLResponse, startGateway, type TestGateway } from '../helpers/gateway.ts';

const ATTEMPT_MS = 600;
// accounts without the caller's Authorization: a 401 here is about the gateway's own key (see test/e2e/graph.test.ts for the caller's).
const SINGLE_SHOT = {
  retry: { maxAttempts: 1 },
  breaker: { enabled: false },
  rateLimit: { fromHeaders: false },
  forwardHeaders: [],
};

let backends: Backends;
let gateway: TestGateway;
let canary: Awaited<ReturnType<typeof startCanary>>;

beforeAll(async () => {
  [backends, canary] = await Promise.all([startBackends(), startCanary()]);
  gateway = await startGateway(backends, {
    // Every query must reach the faulty service once: no response cache, no retries, no breaker, no pacing.
    responseCache: false,
    sources: {
      accounts: {
        // Headers and body timeouts longer than a test's own: only the attempt deadline can end a stalled or dripping answer in time.
        timeouts: { connectMs: 500, headersMs: 60_000, bodyMs: 60_000, attemptMs: ATTEMPT_MS },
        maxResponseBytes: 256 * 1024,
        ...SINGLE_SHOT,
      },
    },
  });
});
afterAll(async () => {
  await gateway.close();
  await Promise.all([backends.close(), canary.close()]);
});
afterEach(() => backends.accounts.clearFaults());

/** A user (from the faulty accounts service) next to weather (from a healthy one). */
const SIBLINGS = '{ user(id: "User:1") { name } weather(city: "Oslo") { city } }';

async function expectFailure(response: GraphQLResponse, code: string, extra: Record<string, unknown> = {}) {
  expect(response.status).toBe(200);
  expect(response.body.data).toEqual({ user: null, weather: { city: 'Oslo' } });
  expect(response.body.errors).toHaveLength(1);
  expect(response.body.errors?.[0]?.path).toEqual(['user']);
  expect(response.body.errors?.[0]?.extensions).toMatchObject({
    code,
    source: 'accounts',
    requestId: expect.any(String),
    ...extra,
  });
  // Still serving, and the failure did not poison the next request.
  backends.accounts.clearFaults();
  const after = await gateway.query(SIBLINGS);
  expect(after.body).toEqual({ data: { user: { name: seed.users[0]!.name }, weather: { city: 'Oslo' } } });
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

const cases: Array<[string, Fault, string, Record<string, unknown>]> = [
  ['a 500', { kind: 'status', status: 500 }, 'UPSTREAM_ERROR', { status: 500, retryable: false }],
  ['a 503', { kind: 'status', status: 503 }, 'UPSTREAM_UNAVAILABLE', { status: 503, retryable: true }],
  [
    'a 429',
    { kind: 'status', status: 429, headers: { 'retry-after': '30' } },
    'UPSTREAM_RATE_LIMITED',
    { status: 429 },
  ],
  ['a 401 from the upstream', { kind: 'status', status: 401 }, 'UPSTREAM_ERROR', { status: 401 }],
  ['an HTML page', { kind: 'html' }, 'UPSTREAM_BAD_RESPONSE', { status: 200 }],
  ['invalid JSON', { kind: 'malformed' }, 'UPSTREAM_BAD_RESPONSE', { status: 200 }],
  ['a truncated body', { kind: 'truncated' }, 'UPSTREAM_BAD_RESPONSE', {}],
  ['JSON nested 100,000 deep', { kind: 'deep', depth: 100_000 }, 'UPSTREAM_BAD_RESPONSE', {}],
  [
    'a body of another shape',
    { kind: 'status', status: 200, body: '{"people": []}' },
    'UPSTREAM_BAD_RESPONSE',
    { status: 200 },
  ],
  ['a connection reset', { kind: 'reset' }, 'UPSTREAM_UNAVAILABLE', {}],
  ['a body over the size limit', { kind: 'oversized', bytes: 4 * 1024 * 1024 }, 'UPSTREAM_RESPONSE_TOO_LARGE', {}],
];

describe('upstream failures', () => {
  it.each(cases)('%s', async (_name, fault, code, extra) => {
    backends.accounts.inject({ fault });
    await expectFailure(await gateway.query(SIBLINGS), code, extra);
  });

  it('a 404 on a nullable field: null with NOT_FOUND', async () => {
    const response = await gateway.query('{ user(id: "User:0") { name } weather(city: "Oslo") { city } }');
    expect(response.body.data).toEqual({ user: null, weather: { city: 'Oslo' } });
    expect(response.body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('stalled headers end at the attempt deadline with UPSTREAM_TIMEOUT', async () => {
    backends.accounts.inject({ fault: { kind: 'stallHeaders' } });
    await expectFailure(await gateway.query(SIBLINGS), 'UPSTREAM_TIMEOUT', { retryable: true });
  });

  it('a body dripping a byte every 50 ms ends at the attempt deadline, though no chunk gap trips bodyTimeout', async () => {
    backends.accounts.inject({ fault: { kind: 'dripBody', intervalMs: 50 } });
    const [response, elapsed] = await timed(() => gateway.query(SIBLINGS));
    // A lower bound only: a busy machine makes it longer, never shorter.
    expect(elapsed).toBeGreaterThanOrEqual(ATTEMPT_MS - 50);
    await expectFailure(response, 'UPSTREAM_TIMEOUT');
  });

  it('a redirect is not followed: UPSTREAM_BAD_RESPONSE, and the canary gets no request', async () => {
    backends.accounts.inject({ fault: { kind: 'redirect', location: `${canary.url}/users?ids=1` } });
    await expectFailure(await gateway.query(SIBLINGS), 'UPSTREAM_BAD_RESPONSE', { status: 302 });
    expect(canary.hits()).toBe(0);
  });

  it('a service that is down: UPSTREAM_UNAVAILABLE', async () => {
    const down = await startGateway(backends, {
      env: { ACCOUNTS_URL: 'http://127.0.0.1:9' },
      sources: { accounts: SINGLE_SHOT },
    });
    try {
      const response = await down.query(SIBLINGS);
      expect(response.body.data).toEqual({ user: null, weather: { city: 'Oslo' } });
      expect(response.body.errors?.[0]?.extensions).toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        source: 'accounts',
        retryable: true,
      });
      expect(response.body.errors?.[0]?.extensions).not.toHaveProperty('status');
    } finally {
      await down.close();
    }
  });

  it('a wrong credential: the service answers 401, the gateway UPSTREAM_ERROR with status 401', async () => {
    const wrong = await startGateway(backends, {
      env: { ACCOUNTS_API_KEY: 'not-the-key' },
      responseCache: false,
      sources: { accounts: SINGLE_SHOT },
    });
    try {
      const response = await wrong.query(SIBLINGS);
      expect(response.body.errors?.[0]?.extensions).toMatchObject({
        code: 'UPSTREAM_ERROR',
        source: 'accounts',
        status: 401,
      });
      expect(backends.accounts.requests.at(-1)?.headers['x-api-key']).toBe('not-the-key');
    } finally {
      await wrong.close();
    }
  });

  it('a response over the default 10 MiB limit is refused', async () => {
    const defaults = await startGateway(backends, { responseCache: false, sources: { accounts: SINGLE_SHOT } });
    try {
      backends.accounts.inject({ fault: { kind: 'oversized', bytes: 12 * 1024 * 1024 } });
      const response = await defaults.query(SIBLINGS);
      expect(response.body.errors?.[0]?.extensions).toMatchObject({
        code: 'UPSTREAM_RESPONSE_TOO_LARGE',
        source: 'accounts',
      });
    } finally {
      await defaults.close();
    }
  });

  it('never shows the upstream URL, body or a stack to the client', async () => {
    backends.accounts.inject({ fault: { kind: 'status', status: 500, body: '{"error":"db password is hunter2"}' } });
    const response = await gateway.query(SIBLINGS);
    expect(response.text).not.toContain('hunter2');
    expect(response.text).not.toContain(backends.accounts.url);
    expect(response.text).not.toMatch(/\bat .*\.ts:\d+/);
  });
});
