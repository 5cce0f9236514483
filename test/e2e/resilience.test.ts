/**
 * Resilience against misbehaving upstreams, provoked with the services'
 * fault knobs and counted with their recorders.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { path } from '../../src/core/upstream-path.ts';
import type { GatewayContext } from '../../src/mapping/gateway-context.ts';
import type { Graph } from '../../src/server/graph.ts';
import type { BoundSource } from '../../src/sources/request-sources.ts';
import { type Backends, resetBackends, seed, startBackends } from '../helpers/backends.ts';
import {
  codes,
  type TestGateway,
  type TestGatewayOptions,
  withGateway as withTestGateway,
} from '../helpers/gateway.ts';
import { boundSource } from '../helpers/sources.ts';
import { manualClock, until } from '../helpers/time.ts';

let backends: Backends;

beforeAll(async () => {
  backends = await startBackends();
});
afterAll(() => backends.close());
afterEach(() => resetBackends(backends));

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}
const userQuery = (id: number) => `{ user(id: "User:${id}") { name } }`;

const withGateway = (options: TestGatewayOptions, run: (gateway: TestGateway) => Promise<void>) =>
  withTestGateway(backends, { responseCache: false, ...options }, run);

describe('retries', () => {
  it('a GET that meets one 503 is retried once and succeeds', () =>
    withGateway({}, async (gateway) => {
      backends.accounts.inject({ fault: { kind: 'status', status: 503 }, times: 1 });
      const answer = await gateway.query(userQuery(3));
      expect(answer.body).toEqual({ data: { user: { name: seed.users[2]!.name } } });
      expect(backends.accounts.requests).toHaveLength(2);
    }));

  it('a POST mutation that meets a reset is sent exactly once', () =>
    withGateway({}, async (gateway) => {
      await gateway.query('{ article(id: "Article:1") { id } }'); // token first
      backends.content.clearRecords();
      backends.content.inject({ fault: { kind: 'reset' }, path: /^\/articles$/ });
      const answer = await gateway.query(
        'mutation { createArticle(input: { title: "t", body: "b", category: "tech", authorId: "User:1" }) { id } }',
      );
      expect(codes(answer)).toEqual(['UPSTREAM_UNAVAILABLE']);
      expect(
        backends.content.requests.filter((request) => request.method === 'POST' && request.url === '/articles'),
      ).toHaveLength(1);
    }));

  it('Retry-After: 1 is waited for', () =>
    withGateway({}, async (gateway) => {
      backends.accounts.inject({ fault: { kind: 'status', status: 429, headers: { 'retry-after': '1' } }, times: 1 });
      const [answer, elapsed] = await timed(() => gateway.query(userQuery(4)));
      expect(answer.body).toEqual({ data: { user: { name: seed.users[3]!.name } } });
      // A lower bound only: a busy machine makes it longer, never shorter.
      expect(elapsed).toBeGreaterThanOrEqual(950);
      expect(backends.accounts.requests).toHaveLength(2);
    }));

  it('Retry-After: 60 fails at once with UPSTREAM_RATE_LIMITED', () =>
    withGateway({}, async (gateway) => {
      backends.accounts.inject({ fault: { kind: 'status', status: 429, headers: { 'retry-after': '60' } }, times: 1 });
      const answer = await gateway.query(userQuery(5));
      expect(codes(answer)).toEqual(['UPSTREAM_RATE_LIMITED']);
      // Not waited for: no retry was even planned (a wait of 60 s would also outlast the test).
      expect(gateway.logs.some((line) => line.includes('retrying upstream call'))).toBe(false);
      expect(backends.accounts.requests).toHaveLength(1);
    }));

  it('with 100% 503 the upstream sees at most 20% more calls than requests, plus the floor', () =>
    withGateway(
      {
        sources: {
          accounts: {
            breaker: { enabled: false },
            retry: { maxAttempts: 5, baseDelayMs: 1, maxDelayMs: 5, budgetFloor: 3 },
          },
        },
      },
      async (gateway) => {
        backends.accounts.inject({ fault: { kind: 'status', status: 503 } });
        for (let id = 1; id <= 50; id++)
          expect(codes(await gateway.query(userQuery(id)))).toEqual(['UPSTREAM_UNAVAILABLE']);
        const calls = backends.accounts.requests.length;
        expect(calls).toBeGreaterThan(50);
        expect(calls).toBeLessThanOrEqual(50 + Math.ceil(0.2 * calls) + 3);
      },
    ));
});

describe('circuit breaker', () => {
  it('opens on failures, answers CIRCUIT_OPEN at once, lets one probe through, and closes when the service recovers', async () => {
    const clock = manualClock();
    const accounts = boundSource(backends, 'accounts', {
      responseCache: false,
      now: clock.now,
      sources: { accounts: { retry: { maxAttempts: 1 }, breaker: { minimumCalls: 20, openMs: 400 } } },
    });
    try {
      backends.accounts.inject({ fault: { kind: 'status', status: 503 } });
      const call = (id: number) => accounts.request({ path: path`/users/${id}` });
      for (let id = 1; id <= 20; id++) await expect(call(id)).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE' });
      expect(backends.accounts.requests).toHaveLength(20);

      // An open breaker answers at once: before the event loop comes round to any I/O or timer (not a duration, which a loaded machine stretches).
      const beforeTheLoop = () =>
        Promise.race([
          call(1).then(
            () => 'answered',
            (error: { code?: string }) => error.code,
          ),
          new Promise((resolve) => setImmediate(() => resolve('waited for the event loop'))),
        ]);
      for (let i = 0; i < 50; i++) expect(await beforeTheLoop()).toBe('CIRCUIT_OPEN');
      expect(backends.accounts.requests).toHaveLength(20);

      // After the open period, one probe; it fails, so the breaker opens again.
      clock.advance(450);
      const probes = await Promise.allSettled([call(1), call(2), call(3)]);
      expect(
        probes.map((probe) => probe.status === 'rejected' && (probe.reason as { code: string }).code).sort(),
      ).toEqual(['CIRCUIT_OPEN', 'CIRCUIT_OPEN', 'UPSTREAM_UNAVAILABLE']);
      expect(backends.accounts.requests).toHaveLength(21);

      // The service recovers: the next probe succeeds and closes the breaker.
      backends.accounts.clearFaults();
      clock.advance(450);
      await expect(call(1)).resolves.toMatchObject({ status: 200 });
      await expect(Promise.all([call(2), call(3), call(4)])).resolves.toHaveLength(3);
      expect(backends.accounts.requests).toHaveLength(25);
    } finally {
      await accounts.close();
    }
  });

  it('does not count 404s against the source', async () => {
    const accounts = boundSource(backends, 'accounts', {
      responseCache: false,
      sources: { accounts: { breaker: { minimumCalls: 5 } } },
    });
    try {
      for (let i = 0; i < 10; i++)
        await expect(accounts.request({ path: path`/users/${100_000 + i}` })).rejects.toMatchObject({
          code: 'NOT_FOUND',
        });
      await expect(accounts.request({ path: path`/users/1` })).resolves.toMatchObject({ status: 200 });
    } finally {
      await accounts.close();
    }
  });
});

describe('rate-limit pacing', () => {
  it("waits for weather's reset at Remaining: 0 instead of drawing a 429", () =>
    withGateway({}, async (gateway) => {
      backends.weather.setRateLimit(3, 1_500);
      const before = backends.weather.rateLimited();
      const weatherIn = (city: string) => gateway.query(`{ weather(city: "${city}") { city } }`);
      await weatherIn('Oslo'); // the first answer tells the gateway the budget: 2 left
      const cities = ['London', 'Paris', 'Berlin', 'Madrid', 'Rome'];
      const [answers, elapsed] = await timed(() => Promise.all(cities.map(weatherIn)));
      expect(answers.map((answer) => (answer.body.data?.weather as { city: string } | null)?.city)).toEqual(cities);
      expect(backends.weather.rateLimited() - before).toBe(0);
      expect(elapsed).toBeGreaterThanOrEqual(1_000);
    }));

  it('fails at once with UPSTREAM_RATE_LIMITED when the reset is past the deadline', () =>
    withGateway({}, async (gateway) => {
      backends.weather.setRateLimit(1, 60_000);
      const before = backends.weather.rateLimited();
      await gateway.query('{ weather(city: "Oslo") { city } }');
      // Waiting for the reset would end at the request's deadline with GATEWAY_TIMEOUT instead.
      const answer = await gateway.query('{ weather(city: "Rome") { city } }');
      expect(codes(answer)).toEqual(['UPSTREAM_RATE_LIMITED']);
      expect(backends.weather.rateLimited() - before).toBe(0);
    }));

  it('paces a source without headers by its static limit', async () => {
    const accounts = boundSource(backends, 'accounts', {
      responseCache: false,
      sources: { accounts: { rateLimit: { fromHeaders: false, requestsPerSecond: 10, burst: 2 } } },
    });
    try {
      const [, elapsed] = await timed(() =>
        Promise.all([1, 2, 3, 4, 5, 6].map((id) => accounts.request({ path: path`/users/${id}` }))),
      );
      expect(elapsed).toBeGreaterThanOrEqual(350); // 2 at once, then one every 100 ms
    } finally {
      await accounts.close();
    }
  });
});

describe('deadlines', () => {
  it.each([
    ['stalled headers', { kind: 'stallHeaders' as const }],
    ['a dripping body', { kind: 'dripBody' as const, intervalMs: 50 }],
  ])('%s end at the attempt deadline with UPSTREAM_TIMEOUT, and the socket is released', (_name, fault) =>
    // Headers and body timeouts longer than the test's own: only the attempt deadline can end it in time.
    withGateway(
      {
        sources: {
          accounts: {
            retry: { maxAttempts: 1 },
            timeouts: { connectMs: 500, headersMs: 60_000, bodyMs: 60_000, attemptMs: 500 },
          },
        },
      },
      async (gateway) => {
        backends.accounts.inject({ fault });
        const answer = await gateway.query(`${userQuery(6).slice(0, -1)} weather(city: "Oslo") { city } }`);
        expect(codes(answer)).toEqual(['UPSTREAM_TIMEOUT']);
        expect(answer.body.data).toEqual({ user: null, weather: { city: 'Oslo' } });
        await until(() => backends.accounts.openConnections() === 0, 'the stalled socket is closed');
      },
    ),
  );

  it('fields unfinished at the request deadline answer GATEWAY_TIMEOUT; finished ones keep their data', () =>
    // Every upstream timeout longer than the test's own: only the request deadline can end it in time.
    withGateway(
      {
        limits: { requestDeadlineMs: 700 },
        sources: { accounts: { timeouts: { connectMs: 500, headersMs: 60_000, bodyMs: 60_000, attemptMs: 60_000 } } },
      },
      async (gateway) => {
        backends.accounts.setLatency(3_000);
        const answer = await gateway.query(`${userQuery(7).slice(0, -1)} weather(city: "Oslo") { city } }`);
        expect(answer.body.data).toEqual({ user: null, weather: { city: 'Oslo' } });
        expect(codes(answer)).toEqual(['GATEWAY_TIMEOUT']);
      },
    ));
});

describe('call budget', () => {
  it('refuses a declared fan-out estimated over the budget before any call', () =>
    withGateway({ limits: { upstreamCallsPerOperation: 50 } }, async (gateway) => {
      for (const service of [backends.content, backends.comments]) service.clearRecords();
      // 1 call for the articles, 1 for the first comments of them all, then one per article for its total: 102.
      const answer = await gateway.query(
        '{ articles(first: 100) { edges { node { comments(first: 1) { totalCount } } } } }',
      );
      expect(answer.body.data).toBeUndefined();
      expect(answer.body.errors?.map((error) => error.extensions)).toEqual([
        expect.objectContaining({ code: 'UPSTREAM_CALL_BUDGET_EXCEEDED', estimate: 102, limit: 50 }),
      ]);
      expect([...backends.content.requests, ...backends.comments.requests]).toHaveLength(0);
      const fits = await gateway.query(
        '{ articles(first: 48) { edges { node { comments(first: 1) { totalCount } } } } }',
      );
      expect(fits.body.errors).toBeUndefined();
      expect(
        [...backends.content.requests, ...backends.comments.requests].filter(
          (request) => !request.url.startsWith('/oauth'),
        ),
      ).toHaveLength(50);
      // Without the totals, the same articles' comments are one call however many articles: 2.
      for (const service of [backends.content, backends.comments]) service.clearRecords();
      const batched = await gateway.query(
        '{ articles(first: 100) { edges { node { comments(first: 3) { edges { node { body } } } } } } }',
      );
      expect(batched.body.errors).toBeUndefined();
      expect(backends.comments.requests.map((request) => request.url.split('?')[0])).toEqual(['/comments']);
    }));

  it('a query within the budget loses no field to the gateway’s own backups: slow first attempts, fast backups', () =>
    withGateway(
      {
        limits: { upstreamCallsPerOperation: 2 },
        sources: {
          accounts: { hedge: { delayMs: 20, maxBackups: 1 } },
          content: { hedge: { delayMs: 20, maxBackups: 1 } },
        },
      },
      async (gateway) => {
        // Each source's first attempt hangs; its backup is answered at once. The query needs exactly the budget: the user, then the first page of their articles.
        backends.accounts.inject({ fault: { kind: 'stallHeaders' }, path: /^\/users\?ids=1$/, times: 1 });
        backends.content.inject({ fault: { kind: 'stallHeaders' }, path: /^\/articles\?/, times: 1 });
        const answer = await gateway.query(
          '{ user(id: "User:1") { name articles(first: 2) { edges { node { title } } } } }',
        );
        expect(answer.body.errors).toBeUndefined();
        expect(answer.body.data?.user).toMatchObject({
          name: expect.any(String),
          articles: { edges: [expect.anything(), expect.anything()] },
        });
        // Two calls and their two backups reached the services; the budget of 2 counted the calls the query asked for.
        expect(backends.accounts.requests.filter((request) => request.url === '/users?ids=1')).toHaveLength(2);
        expect(backends.content.requests.filter((request) => request.url.startsWith('/articles?'))).toHaveLength(2);
      },
    ));

  it('stops what the estimate cannot see (hand-written resolvers) at the budget, while it runs', () =>
    withGateway({ graph: fanOut, limits: { upstreamCallsPerOperation: 5 } }, async (gateway) => {
      backends.weather.clearRecords();
      const answer = await gateway.query('{ cities }');
      expect(backends.weather.requests).toHaveLength(5);
      expect(answer.body.data?.cities).toHaveLength(8);
      expect((answer.body.data?.cities as Array<string | null>).filter(Boolean)).toHaveLength(5);
      expect(answer.body.errors?.map((error) => error.extensions.code)).toEqual([
        'UPSTREAM_CALL_BUDGET_EXCEEDED',
        'UPSTREAM_CALL_BUDGET_EXCEEDED',
        'UPSTREAM_CALL_BUDGET_EXCEEDED',
      ]);
    }));
});

/** A graph whose one field calls weather once per city by hand: 8 calls the estimate knows nothing of. */
const fanOut: Graph = {
  files: [{ name: 'fan-out.graphql', body: 'type Query { cities: [String] }' }],
  resolvers: {
    Query: {
      cities: (_: unknown, __: unknown, { sources }: GatewayContext) =>
        ['London', 'Paris', 'Berlin', 'Madrid', 'Rome', 'Oslo', 'Tokyo', 'Lima'].map(async (city) => {
          const { body } = await (sources.weather as BoundSource).request({
            path: path`/data/2.5/weather`,
            query: { q: city },
          });
          return (body as { name: string }).name;
        }),
    },
  },
};

describe('load shedding', () => {
  it('fails calls beyond the connection cap and queue at once, with a code', () =>
    withGateway(
      { sources: { accounts: { connections: 1, maxQueued: 2, retry: { maxAttempts: 1 } } } },
      async (gateway) => {
        backends.accounts.setLatency(300);
        const answers = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((id) => gateway.query(userQuery(id))));
        const outcome = answers.map((answer) => (answer.body.errors ? answer.body.errors[0]?.extensions.code : 'ok'));
        expect(outcome.filter((code) => code === 'ok')).toHaveLength(3);
        expect(outcome.filter((code) => code === 'UPSTREAM_UNAVAILABLE')).toHaveLength(5);
        expect(backends.accounts.requests).toHaveLength(3);
      },
    ));
});
