/** mapping/run over a fake bound source: what each kind of @rest field asks the source, and what it answers. */
import { describe, expect, it } from 'vitest';
import { GraftError } from '../../../src/errors.ts';
import { fakeSource, run } from './fake-source.ts';

const USERS = [
  { id: 1, name: 'Ada', teamId: 7 },
  { id: 2, name: 'Grace', teamId: 7 },
  { id: 3, name: 'Edsger', teamId: 9 },
];
const SDL = `
type User @node(fetch: "user") { id: ID! name: String! teamId: ID! @internal team: Team @rest(source: "api", path: "/teams/{$parent.teamId}") }
type Team { id: ID! name: String! }
type Post { title: String! authorId: ID! @internal author: User @rest(source: "api", path: "/users", batch: { key: "$parent.authorId", param: "id", match: "id" }) }
type Query {
  user(id: ID! @globalId(type: "User")): User @rest(source: "api", path: "/users/{$args.id}")
  users: [User!]! @rest(source: "api", path: "/users")
  posts: [Post!]! @rest(source: "api", path: "/posts")
  search(q: String, role: Role): [User!]! @rest(source: "api", path: "/users", query: { q: "$args.q", role: "$args.role" })
}
enum Role { ADMIN @from(value: "admin") MEMBER @from(value: "member") }
type Mutation {
  rename(id: ID!, name: String!): User @rest(source: "api", method: PATCH, path: "/users/{$args.id}", body: { name: "$args.name" }, invalidates: ["/teams/{$result.teamId}"],
    errors: [{ status: 422, code: BAD_USER_INPUT, message: "errors" }])
}
`;

const api = (answer: (path: string, query: Record<string, unknown>) => unknown) =>
  fakeSource('api', (request) => answer(request.path, request.query ?? {}));
const byPath = (path: string, query: Record<string, unknown>) => {
  if (path === '/users') return USERS;
  if (path.startsWith('/users/')) return USERS.find((user) => `/users/${user.id}` === path) ?? null;
  if (path.startsWith('/teams/')) return { id: path.slice(7), name: `team ${path.slice(7)}` };
  return { path, query };
};

describe('a single read', () => {
  it('decodes the global id, renders the path, and maps the answer', async () => {
    const source = api(byPath);
    const result = await run(SDL, source, '{ user(id: "User:2") { id name } }');
    expect(result).toEqual({ data: { user: { id: 'User:2', name: 'Grace' } } });
    expect(source.requests.map((request) => [request.method, request.path, request.route])).toEqual([
      ['GET', '/users/2', '/users/{id}'],
    ]);
  });

  it('is made once per request however many fields ask for it (the same team of two users is one call)', async () => {
    const source = api(byPath);
    const result = await run(SDL, source, '{ users { name team { name } } }');
    expect(result.data?.users).toHaveLength(3);
    expect(source.requests.map((request) => request.path)).toEqual(['/users', '/teams/7', '/teams/9']);
  });

  it('sends an enum in the upstream spelling, and leaves out a null argument', async () => {
    const source = api(byPath);
    await run(SDL, source, '{ search(role: ADMIN) { name } }');
    expect(source.requests[0]?.query).toEqual({ role: 'admin' });
  });

  it('refuses an id of another type before any call', async () => {
    const source = api(byPath);
    const result = await run(SDL, source, '{ user(id: "Team:2") { name } }');
    expect(result.errors?.[0]?.message).toBe('Expected a User id, got a Team id.');
    expect(source.requests).toEqual([]);
  });

  it('answers UPSTREAM_BAD_RESPONSE, naming the source, for a body that does not fit the type', async () => {
    const result = await run(
      SDL,
      api(() => ({ id: 1, name: { first: 'Ada' } })),
      '{ user(id: "User:1") { name } }',
    );
    expect(result.errors?.[0]?.extensions?.code ?? (result.errors?.[0]?.originalError as GraftError).code).toBe(
      'UPSTREAM_BAD_RESPONSE',
    );
    expect(result.errors?.[0]?.message).toMatch(/^api sent a body of an unexpected shape/);
  });
});

describe('a batched field', () => {
  it('asks for the distinct keys of every parent in one call and matches rows to keys; a missing key is NOT_FOUND on its field', async () => {
    const posts = [
      { title: 'a', authorId: 3 },
      { title: 'b', authorId: 1 },
      { title: 'c', authorId: 3 },
      { title: 'd', authorId: 4 },
    ];
    const source = api((path, query) =>
      path === '/posts' ? posts : USERS.filter((user) => ([] as unknown[]).concat(query.id).includes(String(user.id))),
    );
    const result = await run(SDL, source, '{ posts { title author { name } } }');
    expect(result.data?.posts).toEqual([
      { title: 'a', author: { name: 'Edsger' } },
      { title: 'b', author: { name: 'Ada' } },
      { title: 'c', author: { name: 'Edsger' } },
      { title: 'd', author: null },
    ]);
    expect(result.errors?.map((error) => [error.path?.join('.'), (error.originalError as GraftError).code])).toEqual([
      ['posts.3.author', 'NOT_FOUND'],
    ]);
    expect(source.requests.map((request) => [request.path, request.query])).toEqual([
      ['/posts', {}],
      ['/users', { id: ['3', '1', '4'] }],
    ]);
  });
});

describe('a write', () => {
  it('sends its JSON body once, then invalidates the paths its result names', async () => {
    const source = api((path) => ({ ...USERS.find((user) => `/users/${user.id}` === path), name: 'Ada L.' }));
    const result = await run(SDL, source, 'mutation { rename(id: "1", name: "Ada L.") { name } }');
    expect(result).toEqual({ data: { rename: { name: 'Ada L.' } } });
    expect(source.requests.map((request) => [request.method, request.json])).toEqual([['PATCH', { name: 'Ada L.' }]]);
    expect(source.invalidated).toEqual(['/teams/7']);
  });

  it('maps a declared status to its code, with the upstream message', async () => {
    const refused = new GraftError('UPSTREAM_ERROR', 'api answered 422', {
      source: 'api',
      status: 422,
      upstreamBody: JSON.stringify({ errors: [{ field: 'name', message: 'is taken' }] }),
    });
    const result = await run(
      SDL,
      api(() => refused),
      'mutation { rename(id: "1", name: "Grace") { name } }',
    );
    const error = result.errors?.[0]?.originalError as GraftError;
    expect([error.code, error.message, error.status]).toEqual(['BAD_USER_INPUT', 'name: is taken', 422]);
  });
});
