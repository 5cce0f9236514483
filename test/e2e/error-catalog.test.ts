/**
 * The catalog against the code: every code in ERROR_CODES is produced by a
 * real request to a real gateway, and nothing outside the catalog ever is.
 * (test/errors.test.ts keeps the catalog and docs/errors.md in step.)
 */
import { createServer as createHttpsServer } from 'node:https';
import { type AddressInfo, connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode } from '../../src/errors.ts';
import type { Graph } from '../../src/server/graph.ts';
import { type Backends, startBackends } from '../helpers/backends.ts';
import { makeCertificates } from '../helpers/certificates.ts';
import { postWebhook, sendEvent, signedHeaders } from '../helpers/events.ts';
import { codes, postGraphQL, startGateway, type TestGateway, type TestGatewayOptions } from '../helpers/gateway.ts';
import { until } from '../helpers/time.ts';

let backends: Backends;
const gateways: TestGateway[] = [];
const start = async (options: TestGatewayOptions = {}) => {
  const gateway = await startGateway(backends, options);
  gateways.push(gateway);
  return gateway;
};

beforeAll(async () => {
  backends = await startBackends();
});
afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.close()));
  await backends.close();
});

/** A subscription over SSE, as its raw HTTP response. */
const subscribe = (gateway: TestGateway, query: string) =>
  fetch(`${gateway.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query }),
  });
/** The codes in an SSE stream's messages. */
const streamCodes = async (response: Response) =>
  [...(await response.text()).matchAll(/"code":"([A-Z_]+)"/g)].map((match) => match[1]);
const codesOf = async (response: Response) =>
  ((await response.json()) as { errors?: Array<{ extensions: { code: string } }> }).errors?.map(
    (error) => error.extensions.code,
  ) ?? [];
/** One try, short timeouts: each upstream fault surfaces as its own code. */
const strict: TestGatewayOptions = {
  responseCache: false,
  sources: Object.fromEntries(
    ['accounts', 'content', 'comments', 'weather'].map((name) => [
      name,
      {
        retry: { maxAttempts: 1 },
        timeouts: { attemptMs: 300 },
        maxResponseBytes: 100_000,
        breaker: { enabled: false },
      },
    ]),
  ),
};
const throwing: Graph = {
  files: [{ name: 'boom.graphql', body: 'type Query { boom: String }' }],
  resolvers: {
    Query: {
      boom: () => {
        throw new TypeError('a bug');
      },
    },
  },
};

const CASES: Record<ErrorCode, () => Promise<unknown[]>> = {
  BAD_REQUEST: async () => codes(await postGraphQL(`${(await start()).url}/graphql`, {})),
  PAYLOAD_TOO_LARGE: async () =>
    codes(
      await postGraphQL(`${(await start()).url}/graphql`, {
        query: '{ __typename }',
        variables: { pad: 'x'.repeat(1_100_000) },
      }),
    ),
  CSRF_ERROR: async () =>
    codesOf(
      await fetch(`${(await start()).url}/graphql`, {
        method: 'POST',
        body: new URLSearchParams({ query: '{ __typename }' }),
      }),
    ),
  GRAPHQL_PARSE_FAILED: async () => codes(await (await start()).query('{ user(id: ')),
  GRAPHQL_VALIDATION_FAILED: async () => codes(await (await start()).query('{ nope }')),
  MAX_DEPTH_LIMIT: async () => codes(await (await start()).query(`{ ${'a { '.repeat(20)} b ${'}'.repeat(20)} }`)),
  MAX_ALIASES_LIMIT: async () =>
    codes(
      await (await start()).query(
        `{ user(id: "User:1") { ${Array.from({ length: 31 }, (_, i) => `n${i}: name`).join(' ')} } }`,
      ),
    ),
  MAX_ROOT_FIELDS_LIMIT: async () =>
    codes(await (await start()).query(`{ ${Array.from({ length: 21 }, (_, i) => `t${i}: __typename`).join(' ')} }`)),
  MAX_DIRECTIVES_LIMIT: async () =>
    codes(await (await start()).query(`{ __typename ${'@include(if: true) '.repeat(51)}}`)),
  COST_ESTIMATED_TOO_EXPENSIVE: async () =>
    codes(
      await (await start()).query(
        '{ users(first: 100) { edges { node { articles(first: 100) { edges { node { id } } } } } } }',
      ),
    ),
  UPSTREAM_CALL_BUDGET_EXCEEDED: async () =>
    codes(
      await (await start({ limits: { upstreamCallsPerOperation: 1 } })).query(
        '{ a: weather(city: "London") { city } b: weather(city: "Paris") { city } }',
      ),
    ),
  BAD_USER_INPUT: async () => codes(await (await start()).query('{ user(id: "Article:1") { name } }')),
  INVALID_CURSOR: async () =>
    codes(await (await start()).query('{ users(first: 1, after: "garbage") { totalCount } }')),
  PERSISTED_QUERY_NOT_FOUND: async () =>
    codes(await postGraphQL(`${(await start()).url}/graphql`, { documentId: 'unknown' })),
  UNAUTHENTICATED: async () => codes(await (await start()).query('{ viewer { name } }')),
  FORBIDDEN: async () => {
    backends.accounts.inject({ fault: { kind: 'status', status: 403 }, path: /^\/me/, times: 1 });
    return codes(
      await (await start(strict)).query('{ viewer { name } }', undefined, { authorization: 'Bearer someone' }),
    );
  },
  NOT_FOUND: async () => codes(await (await start()).query('{ user(id: "User:99999") { name } }')),
  REQUEST_RATE_LIMITED: async () => {
    const gateway = await start({
      limits: { clientRateLimit: { requestsPerSecond: 0.01, burst: 1, by: 'authorization' } },
    });
    await gateway.query('{ __typename }');
    return codes(await gateway.query('{ __typename }'));
  },
  REQUEST_TIMEOUT: async () => {
    const gateway = await start({
      server: { listener: { headersTimeoutMs: 200, requestTimeoutMs: 200, connectionsCheckingIntervalMs: 20 } },
    });
    // Half a request line, then nothing.
    const socket = connect(Number(new URL(gateway.url).port), '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.write('POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    await new Promise((resolve) => socket.once('close', resolve));
    return [...received.matchAll(/"code":"([A-Z_]+)"/g)].map((match) => match[1]);
  },
  GATEWAY_TIMEOUT: async () => {
    backends.weather.inject({ fault: { kind: 'stallHeaders' }, path: /Oslo/, times: 1 });
    return codes(
      await (await start({ limits: { requestDeadlineMs: 100 } })).query('{ weather(city: "Oslo") { city } }'),
    );
  },
  RESPONSE_TOO_LARGE: async () =>
    codes(
      await (await start({ limits: { maxResponseObjects: 5 } })).query(
        '{ weather(city: "Lima") { forecast(days: 1) { at } } }',
      ),
    ),
  TOO_MANY_SUBSCRIPTIONS: async () => {
    const gateway = await start({ limits: { maxSubscriptions: 0 } });
    return streamCodes(await subscribe(gateway, 'subscription { articleCreated { id } }'));
  },
  SUBSCRIBER_TOO_SLOW: async () => {
    const gateway = await start({ limits: { subscriberQueue: 1 } });
    // A subscriber that reads nothing: big messages fill the socket's buffers, then its queue.
    const stream = await subscribe(gateway, 'subscription { articleCreated { id body } }');
    await until(() => gateway.subscriptions() === 1, 'the subscription is open');
    const article = { title: 't', body: 'x'.repeat(64 * 1024), category: 'c', author_id: 1, created_at: 'now' };
    for (let id = 1; id <= 2_000 && gateway.subscriptions() === 1; id++)
      await sendEvent(gateway.url, 'content', 'article.created', { id, ...article });
    return streamCodes(stream);
  },
  WEBHOOK_HEADER_MISSING: async () => [
    (await postWebhook((await start()).url, 'content', '{}', { 'content-type': 'application/json' })).code,
  ],
  WEBHOOK_HEADER_MALFORMED: async () => [
    (await postWebhook((await start()).url, 'content', '{}', { ...signedHeaders('{}'), 'webhook-timestamp': 'soon' }))
      .code,
  ],
  WEBHOOK_SIGNATURE_INVALID: async () => [
    (await postWebhook((await start()).url, 'content', '{"changed":1}', signedHeaders('{}'))).code,
  ],
  WEBHOOK_TIMESTAMP_OUT_OF_RANGE: async () => [
    (
      await sendEvent(
        (
          await start()
        ).url,
        'content',
        'article.created',
        {},
        { timestamp: Math.floor(Date.now() / 1000) - 3_600 },
      )
    ).code,
  ],
  WEBHOOK_REPLAYED: async () => {
    const gateway = await start();
    const headers = signedHeaders('{"type":"article.deleted","data":{"id":1}}');
    await postWebhook(gateway.url, 'content', '{"type":"article.deleted","data":{"id":1}}', headers);
    return [(await postWebhook(gateway.url, 'content', '{"type":"article.deleted","data":{"id":1}}', headers)).code];
  },
  UPSTREAM_TIMEOUT: async () => {
    backends.weather.inject({ fault: { kind: 'stallHeaders' }, path: /Rome/, times: 1 });
    return codes(await (await start(strict)).query('{ weather(city: "Rome") { city } }'));
  },
  UPSTREAM_UNAVAILABLE: async () => {
    backends.weather.inject({ fault: { kind: 'status', status: 503 }, path: /Madrid/, times: 1 });
    return codes(await (await start(strict)).query('{ weather(city: "Madrid") { city } }'));
  },
  CIRCUIT_OPEN: async () => {
    backends.weather.inject({ fault: { kind: 'status', status: 500 }, path: /Berlin/, times: 2 });
    const gateway = await start({
      ...strict,
      sources: { weather: { retry: { maxAttempts: 1 }, breaker: { minimumCalls: 2, failureRatio: 0.5 } } },
    });
    await gateway.query('{ a: weather(city: "Berlin") { city } }');
    await gateway.query('{ b: weather(city: "Berlin") { city } }');
    return codes(await gateway.query('{ c: weather(city: "Berlin") { city } }'));
  },
  UPSTREAM_ERROR: async () => {
    backends.weather.inject({ fault: { kind: 'status', status: 500 }, path: /Paris/, times: 1 });
    return codes(await (await start(strict)).query('{ weather(city: "Paris") { city } }'));
  },
  UPSTREAM_BAD_RESPONSE: async () => {
    backends.weather.inject({ fault: { kind: 'html' }, path: /Tokyo/, times: 1 });
    return codes(await (await start(strict)).query('{ weather(city: "Tokyo") { city } }'));
  },
  UPSTREAM_RESPONSE_TOO_LARGE: async () => {
    backends.weather.inject({ fault: { kind: 'oversized', bytes: 1_000_000 }, path: /Lisbon/, times: 1 });
    return codes(await (await start(strict)).query('{ weather(city: "Lisbon") { city } }'));
  },
  UPSTREAM_RATE_LIMITED: async () => {
    backends.weather.inject({ fault: { kind: 'status', status: 429 }, path: /Vienna/, times: 1 });
    return codes(await (await start(strict)).query('{ weather(city: "Vienna") { city } }'));
  },
  UPSTREAM_TLS_ERROR: async () => {
    // weather served over HTTPS with a certificate from a CA the gateway was not given.
    const certificates = makeCertificates();
    const server = createHttpsServer({ cert: certificates.server.cert, key: certificates.server.key }, (_req, res) =>
      res.end('{}'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const gateway = await start({
        ...strict,
        env: { WEATHER_URL: `https://127.0.0.1:${(server.address() as AddressInfo).port}` },
      });
      return codes(await gateway.query('{ weather(city: "Oslo") { city } }'));
    } finally {
      server.close();
      certificates.remove();
    }
  },
  INTERNAL_SERVER_ERROR: async () => codes(await (await start({ graph: throwing })).query('{ boom }')),
};

describe('the error catalog, against the code', () => {
  it.each(Object.entries(CASES))('%s is produced by a real request', async (code, provoke) => {
    expect(await provoke()).toContain(code);
  });

  it('every catalogued code has a case above, and every case is a catalogued code', () => {
    expect(Object.keys(CASES).sort()).toEqual([...ERROR_CODES].sort());
  });
});
