/**
 * The documents that took the gateway down (issue: one request pipeline
 * with the limits of a public endpoint), sent through every transport, in
 * development and production mode: each is refused with its code before
 * any upstream call, the answer does not depend on the transport, and the
 * process's memory stays within a bound.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ABUSIVE_DOCUMENTS } from '../helpers/abusive-documents.ts';
import { type Backends, startBackends } from '../helpers/backends.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';

/** Longer URLs are refused by the listener itself (431), before any GraphQL transport. */
const MAX_URL = 16_000;
const ACCEPT = 'application/graphql-response+json';

type Transport = (gateway: TestGateway, query: string) => Promise<Response>;
const DOORS: Array<[name: string, send: Transport]> = [
  [
    'JSON POST (direct transport)',
    (gateway, query) =>
      fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: ACCEPT },
        body: JSON.stringify({ query }),
      }),
  ],
  [
    'application/graphql POST',
    (gateway, query) =>
      fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/graphql', accept: ACCEPT },
        body: query,
      }),
  ],
  [
    'form POST with the preflight header',
    (gateway, query) =>
      fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'graphql-require-preflight': '1', accept: ACCEPT },
        body: new URLSearchParams({ query }),
      }),
  ],
  [
    'GET with the preflight header',
    (gateway, query) =>
      fetch(`${gateway.url}/graphql?query=${encodeURIComponent(query)}`, {
        headers: { 'graphql-require-preflight': '1', accept: ACCEPT },
      }),
  ],
  [
    'gateway.fetch (fetch-API transport)',
    (gateway, query) =>
      gateway.fetch(
        new Request('http://gateway.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: ACCEPT },
          body: JSON.stringify({ query }),
        }),
      ),
  ],
];

let backends: Backends;
const upstreamCalls = () =>
  [backends.accounts, backends.content, backends.comments, backends.weather].reduce(
    (sum, service) => sum + service.requests.length,
    0,
  );

beforeAll(async () => {
  backends = await startBackends();
});
afterAll(() => backends.close());

describe.each([
  ['development', false],
  ['production', true],
])('abusive documents in %s mode', (_mode, production) => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startGateway(backends, { server: { production } });
  });
  afterAll(() => gateway.close());

  it.each(ABUSIVE_DOCUMENTS)(
    '%s: refused with its code on every transport, 0 upstream calls, the same answer whatever the transport',
    async (_name, query, expected) => {
      const before = upstreamCalls();
      const answers: Array<{ transport: string; status: number; body: unknown }> = [];
      for (const [transport, send] of DOORS) {
        const response = await send(gateway, query);
        const body = (await response.json()) as {
          data?: unknown;
          errors: Array<{ message: string; extensions: Record<string, unknown> }>;
        };
        if (transport.startsWith('GET') && encodeURIComponent(query).length > MAX_URL) {
          expect([response.status, body.errors.map((error) => error.extensions.code)]).toEqual([
            431,
            ['PAYLOAD_TOO_LARGE'],
          ]);
          continue;
        }
        expect(
          body.errors.map((error) => error.extensions.code),
          transport,
        ).toEqual(expected);
        expect(body.data, transport).toBeUndefined();
        answers.push({
          transport,
          status: response.status,
          body: body.errors.map(({ message, extensions: { requestId: _id, ...extensions } }) => ({
            message,
            extensions,
          })),
        });
      }
      expect(upstreamCalls()).toBe(before);
      for (const answer of answers)
        expect({ status: answer.status, body: answer.body }, answer.transport).toEqual({
          status: 400,
          body: answers[0]?.body,
        });
    },
  );

  it('keeps the process within its memory bound through every abusive document, sent 20 times', async () => {
    const before = process.memoryUsage().rss;
    for (let round = 0; round < 20; round++) {
      await Promise.all(
        ABUSIVE_DOCUMENTS.map(([, query]) =>
          DOORS[round % DOORS.length]![1](gateway, query).then((response) => response.arrayBuffer()),
        ),
      );
    }
    // The loop alone took 3.7 GB before the limits; the documents themselves are at most 0.5 MB each.
    expect((process.memoryUsage().rss - before) / 2 ** 20).toBeLessThan(200);
  });

  it('still answers a legitimate query after all of that', async () => {
    const response = await gateway.query(
      '{ user(id: "User:1") { name articles(first: 2) { edges { node { title } } } } }',
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.user).toMatchObject({ name: expect.any(String) });
  });
});
