/**
 * Schema drift, end to end: a real local service answers records that do
 * not all fit the graph's types (a required field left out, a string where
 * an Int belongs, a nested record missing its name), and a real gateway
 * fails only the fields a query selects that drifted, each at its own path
 * with UPSTREAM_BAD_RESPONSE naming the source, while the rest answers.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.ts';
import { createGateway } from '../../src/server/create-gateway.ts';
import { listen, type RunningGateway } from '../../src/server/listen.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { postGraphQL } from '../helpers/gateway.ts';

const PEOPLE = [
  { id: 1, name: 'Ada', email: 'ada@example.org', age: 36, address: { city: 'London' } },
  { id: 2, name: 'Grace', age: 'old', address: {} },
  { id: 3, name: 'Edsger', email: 'ew@example.org', age: 72, address: { city: 'Austin' } },
];

const SDL = /* GraphQL */ `
type Query {
  people: [Person] @rest(source: "crm", path: "/people")
  person(id: ID!): Person @rest(source: "crm", path: "/people/{$args.id}")
}
type Person { id: ID! name: String! email: String! age: Int address: Address }
type Address { city: String! }
`;

let service: Server;
let gateway: RunningGateway;
const query = (text: string) => postGraphQL(`${gateway.url}/graphql`, { query: text });
const failures = (errors: ReadonlyArray<{ path?: unknown; extensions?: Record<string, unknown> }> = []) =>
  errors.map((error) => [error.path, error.extensions?.code, error.extensions?.source]);

beforeAll(async () => {
  service = createServer((req, res) => {
    const id = /^\/people\/(\d+)$/.exec(req.url ?? '')?.[1];
    const body = id ? PEOPLE.find((person) => String(person.id) === id) : PEOPLE;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  const config = {
    server: { port: 0 },
    sources: { crm: { url: `http://127.0.0.1:${(service.address() as AddressInfo).port}` } },
  } as const;
  const graph = { files: [{ name: 'crm.graphql', body: SDL }] };
  const served = createGateway(config, { env: {}, logger: createLogger({ level: 'silent' } as never), graph });
  gateway = await listen(served, resolveConfig(config, {}));
});
afterAll(async () => {
  await gateway?.shutdown();
  await new Promise((resolve) => service?.close(resolve));
});

describe('a record that drifts from its type', () => {
  it('answers in full when the query selects none of the fields that drifted', async () => {
    const { body } = await query('{ people { id name address { __typename } } }');
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      people: PEOPLE.map(({ id, name }) => ({ id, name, address: { __typename: 'Address' } })).map((person) => ({
        ...person,
        id: String(person.id),
      })),
    });
  });

  it('fails each selected field that drifted at its own path, coded and naming the source; the other records answer', async () => {
    // More than ten times: the first runs are graphql-js's, the later ones graphql-jit's (pipeline/execution.ts).
    for (let run = 0; run < 12; run++) {
      const { body } = await query('{ people { name email age address { city } } }');
      expect(body.data).toEqual({
        people: [
          { name: 'Ada', email: 'ada@example.org', age: 36, address: { city: 'London' } },
          null,
          { name: 'Edsger', email: 'ew@example.org', age: 72, address: { city: 'Austin' } },
        ],
      });
      // email is non-null: its error nulls Grace's whole record. graphql-js stops at that error, graphql-jit
      // reports her other drifted fields too: every error is at her record, coded, and email's is among them.
      expect(failures(body.errors)).toContainEqual([['people', 1, 'email'], 'UPSTREAM_BAD_RESPONSE', 'crm']);
      for (const [path, code, source] of failures(body.errors)) {
        expect([(path as unknown[]).slice(0, 2), code, source]).toEqual([
          ['people', 1],
          'UPSTREAM_BAD_RESPONSE',
          'crm',
        ]);
      }
      expect(body.errors?.map((error) => error.message)).toContain(
        'crm sent a body of an unexpected shape (Person.email is missing).',
      );
    }
  });

  it('nulls a nullable field that drifted alone, and keeps its record', async () => {
    const { body } = await query('{ person(id: "2") { name age address { city } } }');
    expect(body.data).toEqual({ person: { name: 'Grace', age: null, address: null } });
    expect(failures(body.errors)).toEqual([
      [['person', 'age'], 'UPSTREAM_BAD_RESPONSE', 'crm'],
      [['person', 'address', 'city'], 'UPSTREAM_BAD_RESPONSE', 'crm'],
    ]);
  });
});
