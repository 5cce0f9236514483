/**
 * The client setups of docs/clients.md (examples/clients/) against a real
 * gateway: each walks the users connection forward from the start and
 * backward from the end, its cache merging the pages, and ends with the
 * seed's users in order.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USERS as APOLLO_USERS, createApolloClient } from '../../examples/clients/apollo.ts';
import { createUrqlClient, USERS as URQL_USERS } from '../../examples/clients/urql.ts';
import { type Backends, seed, startBackends } from '../helpers/backends.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';

interface Users {
  users: {
    edges: Array<{ node: { id: string; name: string } }>;
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string; endCursor: string };
  };
}

let backends: Backends;
let gateway: TestGateway;
let url: string;

beforeAll(async () => {
  backends = await startBackends();
  gateway = await startGateway(backends);
  url = `${gateway.url}/graphql`;
});
afterAll(async () => {
  await gateway.close();
  await backends.close();
});

const ids = (data: Users | undefined) => data?.users.edges.map((edge) => edge.node.id);
const seedIds = (from: number, to: number) => seed.users.slice(from - 1, to).map((user) => `User:${user.id}`);

describe('Apollo Client with relayStylePagination', () => {
  it('walks forward: two pages merge into one list', async () => {
    const client = createApolloClient(url);
    const first = await client.query<Users>({ query: APOLLO_USERS, variables: { first: 3 } });
    expect(ids(first.data)).toEqual(seedIds(1, 3));
    const next = await client.query<Users>({
      query: APOLLO_USERS,
      variables: { first: 3, after: first.data?.users.pageInfo.endCursor },
      fetchPolicy: 'network-only',
    });
    expect(ids(next.data)).toEqual(seedIds(1, 6));
    expect(next.data?.users.pageInfo.hasNextPage).toBe(true);
  });

  it('walks backward from the end', async () => {
    const client = createApolloClient(url);
    const last = await client.query<Users>({ query: APOLLO_USERS, variables: { last: 3 } });
    expect(ids(last.data)).toEqual(seedIds(198, 200));
    const previous = await client.query<Users>({
      query: APOLLO_USERS,
      variables: { last: 3, before: last.data?.users.pageInfo.startCursor },
      fetchPolicy: 'network-only',
    });
    expect(ids(previous.data)).toEqual(seedIds(195, 200));
    expect(previous.data?.users.pageInfo.hasPreviousPage).toBe(true);
  });
});

describe('urql with Graphcache relayPagination', () => {
  it('walks forward: two pages merge into one list, its GET queries passing CSRF prevention', async () => {
    const client = createUrqlClient(url);
    const first = await client.query<Users>(URQL_USERS, { first: 3 }).toPromise();
    expect(first.error).toBeUndefined();
    expect(ids(first.data)).toEqual(seedIds(1, 3));
    const next = await client
      .query<Users>(URQL_USERS, { first: 3, after: first.data?.users.pageInfo.endCursor })
      .toPromise();
    expect(ids(next.data)).toEqual(seedIds(1, 6));
  });

  it('walks backward from the end', async () => {
    const client = createUrqlClient(url);
    const last = await client.query<Users>(URQL_USERS, { last: 3 }).toPromise();
    expect(ids(last.data)).toEqual(seedIds(198, 200));
    const previous = await client
      .query<Users>(URQL_USERS, { last: 3, before: last.data?.users.pageInfo.startCursor })
      .toPromise();
    expect(ids(previous.data)).toEqual(seedIds(195, 200));
  });

  it('sends its queries as GET, which without the preflight header are refused (403 CSRF_ERROR)', async () => {
    const query = 'query { users(first: 1) { edges { node { id } } } }';
    const bare = await fetch(`${url}?query=${encodeURIComponent(query)}`);
    expect(bare.status).toBe(403);
    expect(
      ((await bare.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code,
    ).toBe('CSRF_ERROR');
  });
});

describe('docs/clients.md', () => {
  it('shows each client setup as the file the tests run', () => {
    const doc = readFileSync('docs/clients.md', 'utf8');
    for (const file of ['apollo.ts', 'urql.ts'])
      expect(doc).toContain(`\`\`\`ts\n${readFileSync(`examples/clients/${file}`, 'utf8').trimEnd()}\n\`\`\``);
  });
});
