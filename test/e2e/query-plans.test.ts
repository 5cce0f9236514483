/**
 * Query plans, end to end: two real gateways over one real service, one
 * running queries' declared fields as plans (the default) and one with
 * `server.plans: false` (graphql-js and graphql-jit for every field). Each
 * query below, answers and failures alike, must get the same answer from
 * a plan as from graphql-js, but for request ids: drift at its path, a null in a
 * non-null place up to the nearest nullable field, an upstream 500 beside
 * a root field that answers, variables and their defaults, fragments,
 * aliases, a batched field, hand-written fields beside declared ones.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLResolveInfo } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.ts';
import { createGateway } from '../../src/server/create-gateway.ts';
import { listen, type RunningGateway } from '../../src/server/listen.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { postGraphQL } from '../helpers/gateway.ts';

const PEOPLE = [
  { id: 1, name: 'Ada', email: 'ada@example.org', age: 36, managerId: 3, address: { city: 'London' } },
  { id: 2, name: 'Grace', age: 'old', managerId: 1, address: {} },
  { id: 3, name: 'Edsger', email: 'ew@example.org', age: 72, managerId: 9, address: { city: 'Austin' } },
];

const SDL = /* GraphQL */ `
type Query {
  people: [Person] @rest(source: "crm", path: "/people")
  person(id: ID!): Person @rest(source: "crm", path: "/people/{$args.id}")
  "Non-null: its failure nulls the whole data."
  strictPerson(id: ID!): Person! @rest(source: "crm", path: "/people/{$args.id}")
  "Hand-written."
  greeting(name: String = "you"): String!
}
type Person {
  id: ID!
  name: String!
  email: String!
  age: Int
  managerId: ID @internal
  address: Address
  manager: Person @rest(source: "crm", path: "/people", batch: { key: "$parent.managerId", param: "id" })
  "Hand-written."
  initials: String
}
type Address { city: String! }
`;

const resolvers = {
  Query: {
    greeting: (_: unknown, args: { name: string }, _context: unknown, info: GraphQLResolveInfo) =>
      `Hello ${args.name} (${info.operation.name?.value ?? 'anonymous'}, at ${info.path.key})`,
  },
  Person: { initials: (person: { name: string }) => person.name.slice(0, 1) },
};

let service: Server;
const calls: string[] = [];
let planned: RunningGateway;
let unplanned: RunningGateway;

async function gatewayWith(plans: boolean, url: string): Promise<RunningGateway> {
  const config = { server: { port: 0, plans }, sources: { crm: { url } } } as const;
  const graph = { files: [{ name: 'crm.graphql', body: SDL }], resolvers };
  const served = createGateway(config, { env: {}, logger: createLogger({ level: 'silent' } as never), graph });
  return listen(served, resolveConfig(config, {}));
}

beforeAll(async () => {
  service = createServer((req, res) => {
    calls.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://crm');
    if (url.pathname === '/people/500') return res.writeHead(500).end('down');
    const id = /^\/people\/(\d+)$/.exec(url.pathname)?.[1];
    const ids = url.searchParams.getAll('id');
    const body = id
      ? PEOPLE.find((person) => String(person.id) === id)
      : PEOPLE.filter((person) => ids.length === 0 || ids.includes(String(person.id)));
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
  [planned, unplanned] = await Promise.all([gatewayWith(true, url), gatewayWith(false, url)]);
});
afterAll(async () => {
  await Promise.all([planned?.shutdown(), unplanned?.shutdown()]);
  await new Promise((resolve) => service?.close(resolve));
});

/** An answer without what differs by request (its id). */
async function answerOf(gateway: RunningGateway, payload: object) {
  const response = await postGraphQL(`${gateway.url}/graphql`, payload);
  return {
    status: response.status,
    body: JSON.parse(response.text.replace(/"requestId":"[^"]*"/g, '"requestId":"…"')),
  };
}

/**
 * The answers of the planned gateway, to a document's first use and to its
 * 11th (when the other would have compiled it with graphql-jit), and the
 * unplanned gateway's first, by graphql-js. graphql-js is the reference:
 * graphql-jit leaves `locations` out of errors and refuses a missing
 * non-null variable that has a default.
 */
async function answers(payload: object) {
  const plans = [];
  for (let i = 0; i < 11; i++) plans.push(await answerOf(planned, payload));
  return { first: plans[0], eleventh: plans[10], graphqlJs: await answerOf(unplanned, payload) };
}

describe('a query run as a plan answers as graphql-js does', () => {
  it.each([
    ['nested objects, lists and drift at its path', { query: '{ people { id name age address { city } } }' }],
    ['a null in a non-null place, up to the nullable list item', { query: '{ people { name email } }' }],
    [
      'aliases, fragments, inline fragments and __typename',
      {
        query:
          '{ a: people { ...P } b: person(id: 3) { __typename ... on Person { n: name } } } fragment P on Person { name, name }',
      },
    ],
    ['an alias that is a property of every object', { query: '{ __proto__: person(id: 1) { constructor: name } }' }],
    ['variables with a default', { query: 'query ($id: ID! = "3") { person(id: $id) { name } }' }],
    ['variables given', { query: 'query ($id: ID!) { person(id: $id) { name } }', variables: { id: 1 } }],
    ['a variable missing', { query: 'query ($id: ID!) { person(id: $id) { name } }' }],
    ['an upstream 500 beside a root field that answers', { query: '{ person(id: 500) { name } people { id } }' }],
    ['a non-null root field that fails', { query: '{ strictPerson(id: 500) { name } people { id } }' }],
    ['a batched field below a list', { query: '{ people { name manager { name manager { name } } } }' }],
    [
      'hand-written root fields beside declared ones, in the document order',
      { query: 'query Hi { greeting people { name } hello: greeting(name: "Ada") }' },
    ],
    ['a hand-written field below a declared one', { query: '{ people { name initials } person(id: 1) { name } }' }],
  ])('%s', async (_name, payload) => {
    const { first, eleventh, graphqlJs } = await answers(payload);
    expect(first).toEqual(graphqlJs);
    expect(eleventh).toEqual(graphqlJs);
  });

  it('fails drifted fields with UPSTREAM_BAD_RESPONSE at their paths and keeps the rest', async () => {
    const { body } = await answerOf(planned, { query: '{ people { name email } person(id: 1) { name } }' });
    expect(body.data).toEqual({
      people: [{ name: 'Ada', email: 'ada@example.org' }, null, { name: 'Edsger', email: 'ew@example.org' }],
      person: { name: 'Ada' },
    });
    expect(
      body.errors.map((error: { path: unknown; extensions: { code: string } }) => [error.path, error.extensions.code]),
    ).toEqual([[['people', 1, 'email'], 'UPSTREAM_BAD_RESPONSE']]);
  });

  it('makes the same upstream calls: one batch for every manager of a list', async () => {
    const counted = async (gateway: RunningGateway) => {
      calls.length = 0;
      await answerOf(gateway, { query: '{ people { name manager { name } } }' });
      return [...calls].sort();
    };
    const plannedCalls = await counted(planned);
    expect(plannedCalls).toEqual(await counted(unplanned));
    expect(plannedCalls).toEqual(['/people', '/people?id=3&id=1&id=9']);
  });
});
