/** Production mode: no introspection, no suggestions, nothing internal in an error, over every transport. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backends, startBackends } from '../helpers/backends.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';

let backends: Backends;
let production: TestGateway;
let development: TestGateway;
let productionWithIntrospection: TestGateway;

beforeAll(async () => {
  backends = await startBackends();
  [production, development, productionWithIntrospection] = await Promise.all([
    startGateway(backends, { server: { production: true } }),
    startGateway(backends),
    startGateway(backends, { server: { production: true, introspection: true } }),
  ]);
});
afterAll(async () => {
  await Promise.all([production.close(), development.close(), productionWithIntrospection.close()]);
  await backends.close();
});

const preflight = { 'graphql-require-preflight': '1' };
type Send = (gateway: TestGateway, query: string) => Promise<Response>;
const DOORS: Array<[string, Send]> = [
  [
    'POST JSON',
    (gateway, query) =>
      fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      }),
  ],
  [
    'GET',
    (gateway, query) => fetch(`${gateway.url}/graphql?query=${encodeURIComponent(query)}`, { headers: preflight }),
  ],
  [
    'POST application/graphql',
    (gateway, query) =>
      fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/graphql' },
        body: query,
      }),
  ],
  [
    'gateway.fetch',
    (gateway, query) =>
      gateway.fetch(
        new Request('http://gateway.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query }),
        }),
      ),
  ],
];

interface Answer {
  data?: unknown;
  errors?: Array<{ message: string; extensions: Record<string, unknown> }>;
}
const answer = async (response: Response) => (await response.json()) as Answer;

describe.each(DOORS)('over %s', (_transport, send) => {
  it.each([
    '{ __schema { types { name } } }',
    '{ __type(name: "User") { fields { name } } }',
    '{ user(id: "User:1") { ...on User { name } } ...Intro } fragment Intro on Query { __schema { queryType { name } } }',
  ])('refuses introspection in production: %s', async (query) => {
    const body = await answer(await send(production, query));
    expect(body.data).toBeUndefined();
    expect(body.errors?.map((error) => error.extensions.code)).toContain('GRAPHQL_VALIDATION_FAILED');
  });

  it('answers introspection in development, and in production when the config turns it on', async () => {
    for (const gateway of [development, productionWithIntrospection]) {
      const body = await answer(await send(gateway, '{ __schema { queryType { name } } }'));
      expect(body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    }
  });

  it('gives no "Did you mean" in production, and does in development', async () => {
    const query = '{ user(id: "User:1") { nam } }';
    const [prod, dev] = await Promise.all([
      send(production, query).then(answer),
      send(development, query).then(answer),
    ]);
    expect(prod.errors?.[0]?.message).not.toMatch(/Did you mean/);
    expect(prod.errors?.[0]?.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(dev.errors?.[0]?.message).toMatch(/Did you mean "name"/);
  });
});

describe('nothing internal reaches a client', () => {
  const undecodable: Array<[string, (gateway: TestGateway) => Promise<Response>]> = [
    [
      'malformed JSON through gateway.fetch',
      (gateway) =>
        gateway.fetch(
          new Request('http://gateway.test/graphql', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"query": "{ __typename }", "secret-bytes',
          }),
        ),
    ],
    [
      'malformed JSON on the direct transport',
      (gateway) =>
        fetch(`${gateway.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"query": "{ __typename }", "secret-bytes',
        }),
    ],
    [
      'malformed variables on GET',
      (gateway) =>
        fetch(
          `${gateway.url}/graphql?query=${encodeURIComponent('{ __typename }')}&variables=${encodeURIComponent('{"secret-bytes')}`,
          { headers: preflight },
        ),
    ],
    [
      'malformed variables in a form',
      (gateway) =>
        fetch(`${gateway.url}/graphql`, {
          method: 'POST',
          headers: preflight,
          body: new URLSearchParams({ query: '{ __typename }', variables: '{"secret-bytes' }),
        }),
    ],
    [
      'an XML body',
      (gateway) =>
        fetch(`${gateway.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/xml' },
          body: '<secret-bytes/>',
        }),
    ],
  ];

  it.each(undecodable)(
    '%s: a coded error with only code and request id, in production and development',
    async (_name, send) => {
      for (const gateway of [production, development]) {
        const response = await send(gateway);
        const text = await response.text();
        expect(text).not.toContain('secret-bytes');
        expect(text).not.toMatch(/originalError|stack|at \w+ \(/);
        const body = JSON.parse(text) as Answer;
        expect(response.status).toBeGreaterThanOrEqual(400);
        for (const error of body.errors ?? [])
          expect(Object.keys(error.extensions).sort()).toEqual(['code', 'requestId']);
        expect(body.errors?.map((error) => error.extensions.code)).toEqual(['BAD_REQUEST']);
      }
    },
  );

  it('an XML body is 415, with a code', async () => {
    const response = await fetch(`${production.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: '<q/>',
    });
    expect(response.status).toBe(415);
  });
});
