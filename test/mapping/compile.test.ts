/**
 * What `graftql check` and start-up say about a misused mapping: one case
 * per misuse, each with its exact message and the file, line and column
 * it points at (inside a template string, at the reference).
 */
import { describe, expect, it } from 'vitest';
import { GraphError } from '../../src/mapping/diagnostics.ts';
import { compileGraph } from '../../src/mapping/graph.ts';

const source = (naming: 'camelCase' | 'snake_case' = 'camelCase', forwardHeaders: string[] = []) => ({
  naming,
  forwardHeaders,
  maxPageSize: 100,
  pagination: undefined,
});
const SOURCES = { accounts: source('snake_case', ['authorization']), weather: source() };

const BASE = `type User implements Node @node(fetch: "user") {
  id: ID!
  name: String!
  teamId: ID! @internal
}
type Query {
  user(id: ID! @globalId(type: "User")): User @rest(source: "accounts", path: "/users/{$args.id}")
}
`;

/** The problems of a graph made of BASE and `sdl`, or [] when it compiles. */
function problems(sdl: string, resolvers?: Record<string, Record<string, unknown>>): string[] {
  try {
    compileGraph({ files: [{ name: 'graph.graphql', body: BASE + sdl }], sources: SOURCES, resolvers });
    return [];
  } catch (error) {
    if (!(error instanceof GraphError)) throw error;
    return error.diagnostics.map(({ at, message }) => `${at}: ${message}`);
  }
}

/** `graph.graphql:line:column` of the first `marker` in `sdl` (which follows BASE). */
function at(sdl: string, marker: string, nth = 0): string {
  const text = BASE + sdl;
  let offset = -1;
  for (let i = 0; i <= nth; i++) offset = text.indexOf(marker, offset + 1);
  if (offset < 0) throw new Error(`no ${marker}`);
  const before = text.slice(0, offset).split('\n');
  return `graph.graphql:${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
}

const expectOne = (sdl: string, marker: string, message: string) =>
  expect(problems(sdl)).toEqual([`${at(sdl, marker)}: ${message}`]);

describe('a graph that is right', () => {
  it('compiles, and the served schema has neither the mapping nor the @internal fields', () => {
    const graph = compileGraph({ files: [{ name: 'graph.graphql', body: BASE }], sources: SOURCES });
    expect(graph.sdl).toContain('type User implements Node');
    expect(graph.sdl).not.toMatch(/teamId|@rest|GraftBatch|directive @/);
    expect(graph.sdl).toContain('node(id: ID!): Node');
  });
});

describe('@rest', () => {
  it('names a source that is not configured', () => {
    const sdl = 'extend type Query { a: User @rest(source: "acounts", path: "/a") }';
    expectOne(
      sdl,
      '"acounts"',
      'Query.a @rest(source): no source "acounts" in the config (sources: accounts, weather).',
    );
  });

  it('uses an argument that does not exist', () => {
    const sdl = 'extend type Query { a(id: ID!): User @rest(source: "accounts", path: "/users/{$args.idd}") }';
    expectOne(sdl, '$args.idd', 'Query.a @rest(path): $args.idd is not an argument of Query.a (arguments: id).');
  });

  it('reads a field of an input argument that it does not have', () => {
    const sdl =
      'input Q { term: String } extend type Query { a(q: Q): User @rest(source: "accounts", path: "/a", query: { t: "$args.q.trem" }) }';
    expectOne(sdl, '$args.q.trem', 'Query.a @rest(query.t): $args.q.trem: Q has no field "trem".');
  });

  it('reads a parent field that no mapping provides', () => {
    const sdl = 'extend type User { team: User @rest(source: "accounts", path: "/teams/{$parent.squad}") }';
    expectOne(
      sdl,
      '$parent.squad',
      'User.team @rest(path): User has no field "squad" to read; add it, or an @internal field, to User.',
    );
  });

  it('reads a parent field that is itself resolved by a mapping', () => {
    const sdl =
      'extend type User { boss: User @rest(source: "accounts", path: "/b/{$parent.id}") peer: User @rest(source: "accounts", path: "/p/{$parent.boss}") }';
    expectOne(
      sdl,
      '$parent.boss',
      "User.peer @rest(path): $parent.boss is resolved by a mapping, not read from User's record; add an @internal field for the value.",
    );
  });

  it('uses $parent on a root field', () => {
    const sdl = 'extend type Query { a: User @rest(source: "accounts", path: "/a/{$parent.id}") }';
    expectOne(
      sdl,
      '$parent.id',
      'Query.a @rest(path): $parent is not available on a root field: Query.a has no parent record.',
    );
  });

  it('reads a header its source does not forward', () => {
    const sdl =
      'extend type Query { a: User @rest(source: "accounts", path: "/a", headers: ["X-Tenant: $header.x-tenant"]) }';
    expectOne(
      sdl,
      '$header.x-tenant',
      'Query.a @rest(headers.X-Tenant): $header.x-tenant is not among the headers source "accounts" may see (its forwardHeaders: authorization).',
    );
  });

  it('uses $result outside invalidates', () => {
    const sdl = 'extend type Query { a: User @rest(source: "accounts", path: "/a", query: { x: "$result.id" }) }';
    expectOne(sdl, '$result.id', 'Query.a @rest(query.x): $result is only available in invalidates.');
  });

  it('writes a template the parser cannot read', () => {
    expectOne(
      'extend type Query { a: User @rest(source: "accounts", path: "users") }',
      'users"',
      'Query.a @rest(path): A path starts with "/".',
    );
    expectOne(
      'extend type Query { a(id: ID): User @rest(source: "accounts", path: "/u/{$args.id") }',
      '{$args.id")',
      'Query.a @rest(path): A "{" has no closing "}".',
    );
    expectOne(
      'extend type Query { a: User @rest(source: "accounts", path: "/u", query: { q: "$arg.x" }) }',
      '$arg.x',
      'Query.a @rest(query.q): $arg is not a template variable: use $args, $parent, $header, $jwt, $result, $event or $prev.',
    );
    expectOne(
      'extend type Query { a: User @rest(source: "accounts", path: "/u?x=1") }',
      '?x=1',
      'Query.a @rest(path): A path has no query or fragment: put query parameters in `query`.',
    );
  });

  it('gives an argument a value of the wrong type', () => {
    const sdl = 'extend type Query { a: User @rest(source: "accounts", method: FETCH, path: "/a") }';
    expect(problems(sdl)).toContain(`${at(sdl, 'FETCH')}: @rest(method) expects GraftMethod.`);
  });

  it('reads on a mutation, writes on a query, or sends a body with GET', () => {
    expectOne(
      'type Mutation { m: User @rest(source: "accounts", path: "/m") }',
      '@rest(source: "accounts", path: "/m")',
      'Mutation.m is a mutation: its @rest method must be POST, PUT, PATCH or DELETE, not GET.',
    );
    expectOne(
      'extend type Query { q: User @rest(source: "accounts", method: POST, path: "/q") }',
      'POST',
      'Query.q @rest(method: POST) writes; writes belong on Mutation fields.',
    );
    expectOne(
      'extend type Query { q(x: String): User @rest(source: "accounts", path: "/q", body: "$args.x") }',
      '"$args.x"',
      'Query.q @rest sends a body with GET; use POST, PUT, PATCH or DELETE.',
    );
  });

  it('invalidates on a read, or sets a scalar result on an object field', () => {
    expectOne(
      'extend type Query { q: User @rest(source: "accounts", path: "/q", invalidates: ["/x"]) }',
      '["/x"]',
      'Query.q @rest(invalidates) is for writes; a GET changes nothing.',
    );
    expectOne(
      'type Mutation { m: User @rest(source: "accounts", method: DELETE, path: "/m", result: "x") }',
      '"x"',
      'Query.m @rest(result) sets a scalar value; User is an object type.'.replace('Query.m', 'Mutation.m'),
    );
  });
});

describe('batch', () => {
  it('matches rows by a field the returned type does not have', () => {
    const sdl =
      'extend type Query { team(id: ID!): User @rest(source: "accounts", path: "/t", batch: { key: "$args.id", param: "ids", match: "uid" }) }';
    expectOne(sdl, '"uid"', 'Query.team @rest(batch.match): User has no field "uid" to match rows to keys by.');
  });

  it('leaves out a required part of the batch form', () => {
    const sdl =
      'extend type Query { team(id: ID!): User @rest(source: "accounts", path: "/t", batch: { key: "$args.id" }) }';
    expect(problems(sdl)).toContain(`${at(sdl, '{ key')}: @rest(batch) expects GraftBatch.`);
  });
});

describe('paginate', () => {
  const connection = (paginate: string, args = 'first: Int, after: String, last: Int, before: String') =>
    `extend type Query { users(${args}): UserConnection @rest(source: "accounts", path: "/users", paginate: ${paginate}) }`;

  it('has no style, here or in the source', () => {
    const sdl = connection('{ items: "data" }');
    expectOne(
      sdl,
      '{ items',
      "Query.users @rest(paginate) needs a style (OFFSET, PAGE, CURSOR or LINK), here or in the source's pagination config.",
    );
  });

  it('pages by cursor without saying where the next cursor is', () => {
    const sdl = connection('{ style: CURSOR, items: "data", prev: "prev" }');
    expectOne(
      sdl,
      '{ style',
      "Query.users @rest(paginate: CURSOR) needs next: where the next page's cursor is in the answer.",
    );
  });

  it('declares last and before on a list that pages forward only', () => {
    const sdl = connection('{ style: CURSOR, items: "data", next: "next" }');
    expect(problems(sdl)).toEqual([
      `${at(sdl, 'last: Int')}: Query.users declares last, but its source pages forward only (CURSOR without prev).`,
      `${at(sdl, 'before: String')}: Query.users declares before, but its source pages forward only (CURSOR without prev).`,
    ]);
  });

  it('leaves out first or after', () => {
    const sdl = connection('{ style: OFFSET, total: "total" }', 'last: Int, before: String');
    expect(problems(sdl)).toEqual([
      `${at(sdl, 'users(')}: Query.users is a connection: it needs the argument first (first: Int, after: String).`,
      `${at(sdl, 'users(')}: Query.users is a connection: it needs the argument after (first: Int, after: String).`,
    ]);
  });

  it('paginates a field that does not return a connection', () => {
    const sdl =
      'extend type Query { all(first: Int, after: String): [User] @rest(source: "accounts", path: "/users", paginate: { style: OFFSET }) }';
    expectOne(
      sdl,
      '[User]',
      'Query.all has @rest(paginate) but returns User: a paginated field returns a connection, e.g. UserConnection.',
    );
  });

  it('gives a style an option of another', () => {
    const sdl = connection('{ style: OFFSET, next: "n" }');
    expectOne(sdl, '"n"', 'Query.users @rest(paginate.next) applies to CURSOR pagination only.');
  });
});

describe('@ref', () => {
  it('refers to a field with no @rest', () => {
    const sdl = 'extend type User { best: User @ref(query: "nobody", args: { id: "$parent.id" }) }';
    expectOne(sdl, '"nobody"', 'User.best @ref(query): Query.nobody is not a field with a @rest mapping.');
  });

  it('gives an argument the field does not take, or leaves out one it requires', () => {
    const sdl = 'extend type User { best: User @ref(query: "user", args: { uid: "$parent.id" }) }';
    expect(problems(sdl)).toEqual([
      `${at(sdl, '{ uid')}: User.best @ref(args): Query.user has no argument "uid".`,
      `${at(sdl, '{ uid')}: User.best @ref(args) must give id, which Query.user requires.`,
    ]);
  });

  it('returns another type than the field it refers to', () => {
    const sdl =
      'type Team { id: ID! } extend type User { team: Team @ref(query: "user", args: { id: "$parent.teamId" }) }';
    expectOne(sdl, '"user", args: { id: "$parent.teamId"', 'User.team returns Team but Query.user returns User.');
  });
});

describe('multipart and upload bodies', () => {
  it('compiles files as multipart parts or as the whole body', () => {
    const sdl = `scalar Upload
extend type Mutation {
  attach(file: Upload!, note: String): User @rest(source: "accounts", method: POST, path: "/a", multipart: { file: "$args.file", note: "$args.note" })
  avatar(file: Upload!): User @rest(source: "accounts", method: PUT, path: "/b", upload: "$args.file")
}`;
    expect(problems(sdl)).toEqual([]);
  });

  it('wants an Upload argument for upload, and one body', () => {
    expectOne(
      'scalar Upload extend type Mutation { m(name: String): User @rest(source: "accounts", method: PUT, path: "/b", upload: "$args.name") }',
      '"$args.name"',
      'Mutation.m @rest(upload) is an argument of type Upload: "$args.file".',
    );
    expectOne(
      'scalar Upload extend type Mutation { m(file: Upload): User @rest(source: "accounts", method: POST, path: "/b", form: { a: "1" }, upload: "$args.file") }',
      '"$args.file"',
      'Mutation.m @rest has form and upload; a request has one body.',
    );
  });
});

describe('@event', () => {
  const field = (directive: string, args = '(id: ID)') => `type Subscription { userChanged${args}: User ${directive} }`;

  it("compiles a subscription fed by a source's events, with a filter and a follow-up read", () => {
    expect(
      problems(
        field(
          '@event(source: "accounts", types: ["user.updated"], filter: { id: "$event.data.id" }, fetch: { query: "user", args: { id: "$event.data.id" } })',
        ),
      ),
    ).toEqual([]);
  });

  it('names a source that is not configured, and wants an event type', () => {
    const sdl = field('@event(source: "acounts", types: [])');
    expect(problems(sdl)).toEqual([
      `${at(sdl, '"acounts"')}: Subscription.userChanged @event(source): no source "acounts" in the config (sources: accounts, weather).`,
      `${at(sdl, '[]')}: Subscription.userChanged @event(types) names at least one event type.`,
    ]);
  });

  it('filters by arguments the field has, with $event values only where events are', () => {
    const sdl = field('@event(source: "accounts", types: ["u"], filter: { uid: "$event.data.id" })');
    expectOne(sdl, '{ uid', 'Subscription.userChanged @event(filter): Subscription.userChanged has no argument "uid".');
    expectOne(
      'extend type Query { x: User @rest(source: "accounts", path: "/x/{$event.id}") }',
      '$event',
      'Query.x @rest(path): $event is only available in @event.',
    );
  });

  it('reads again through a Query field with @rest that takes the arguments given', () => {
    const sdl = field(
      '@event(source: "accounts", types: ["u"], fetch: { query: "user", args: { uid: "$event.data.id" } })',
    );
    expect(problems(sdl)).toEqual([
      `${at(sdl, '{ uid')}: Subscription.userChanged @event(fetch.args): Query.user has no argument "uid".`,
      `${at(sdl, '{ uid')}: Subscription.userChanged @event(fetch.args) must give id, which Query.user requires.`,
    ]);
    expectOne(
      field('@event(source: "accounts", types: ["u"], fetch: { query: "nobody", args: {} })'),
      '"nobody"',
      'Subscription.userChanged @event(fetch.query): Query.nobody is not a field with a @rest mapping.',
    );
  });

  it('belongs on Subscription fields, and every Subscription field needs it', () => {
    expectOne(
      'extend type User { x: User @event(source: "accounts", types: ["u"]) }',
      '@event',
      'User.x has @event, which feeds Subscription fields only.',
    );
    expectOne(
      'type Subscription { quiet: User }',
      'quiet',
      'Subscription.quiet has no @event mapping and no hand-written resolver: it would never send anything.',
    );
    expectOne(
      'type Subscription { polled: User @rest(source: "accounts", path: "/p") }',
      '@rest(source: "accounts", path: "/p")',
      'Subscription.polled is a subscription: it is fed by @event, not @rest.',
    );
  });
});

describe('@node and @globalId', () => {
  it('keys a type by a field it does not have', () => {
    const sdl = 'type Team @node(key: "code") { id: ID! }';
    expectOne(sdl, '"code"', 'Team @node(key): Team has no field "code".');
  });

  it('implements Node without a way to refetch it', () => {
    const sdl = 'type Team implements Node @node { id: ID! }';
    expectOne(sdl, '@node {', 'Team implements Node, so @node needs fetch: the Query field that loads one by id.');
  });

  it('refetches through a field that does not load one by id', () => {
    const sdl = 'type Team implements Node @node(fetch: "user") { id: ID! }';
    expectOne(sdl, '"user") { id', 'Team @node(fetch): Query.user must exist, return Team and take an id argument.');
  });

  it('takes global ids of a type without @node', () => {
    const sdl =
      'type Team { id: ID! } extend type Query { team(id: ID! @globalId(type: "Team")): Team @rest(source: "accounts", path: "/t/{$args.id}") }';
    expectOne(sdl, '"Team")', '@globalId(type: "Team") names a type without @node.');
  });
});

describe('@from, @internal, and fields without a mapping', () => {
  it('converts to a type the field is not', () => {
    const sdl = 'extend type User { at: Int @from(path: "dt", as: DATE_TIME_FROM_UNIX_SECONDS) }';
    expectOne(sdl, 'DATE_TIME', 'User.at @from(as: DATE_TIME_FROM_UNIX_SECONDS) makes a String; the field is Int.');
  });

  it('gives a field an enum value spelling, or an empty path', () => {
    expectOne(
      'extend type User { kind: String @from(value: "k") }',
      '"k"',
      'User.kind @from(value) is for enum values; a field takes path and as.',
    );
    expectOne(
      'extend type User { kind: String @from(path: "a..b") }',
      '"a..b"',
      'User.kind @from(path) is a dot path such as "main.temp".',
    );
  });

  it('maps an @internal field with @rest, or a field with both @rest and @ref', () => {
    expectOne(
      'extend type User { x: ID @internal @rest(source: "accounts", path: "/x") }',
      'x: ID',
      'User.x is @internal: it is read from the record, so it cannot have @rest or @ref.',
    );
    expectOne(
      'extend type User { y: User @rest(source: "accounts", path: "/y") @ref(query: "user", args: { id: "$parent.id" }) }',
      '@ref',
      'User.y has both @rest and @ref; keep one.',
    );
  });

  it('leaves a root field with nothing to resolve it', () => {
    expectOne(
      'extend type Query { orphan: User }',
      'orphan',
      'Query.orphan has no @rest or @ref mapping and no hand-written resolver: it would always be null.',
    );
  });
});

describe('@compute', () => {
  /** `graph.graphql:line:column` of the character `offset` into the expression that follows `expr: "` in `sdl`. */
  const inExpression = (sdl: string, offset: number) => {
    const text = BASE + sdl;
    const start = text.indexOf('expr: "') + 'expr: "'.length + offset;
    const before = text.slice(0, start).split('\n');
    return `graph.graphql:${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
  };
  const expectAt = (sdl: string, offset: number, message: string) =>
    expect(problems(sdl)).toEqual([`${inExpression(sdl, offset)}: ${message}`]);

  it('accepts an expression the field type can hold', () => {
    expect(problems(`extend type User { label: String! @compute(expr: "\`\${name} (\${teamId})\`") }`)).toEqual([]);
    expect(problems('extend type User { tags: [String!] @compute(expr: "name.length() > 3 ? null : null") }')).toEqual(
      [],
    );
  });

  it('reports a syntax error at its column in the string', () => {
    expectAt(
      'extend type User { label: String @compute(expr: "name +") }',
      6,
      'User.label @compute(expr): Expected a value, found the end.',
    );
    expectAt(
      'extend type User { label: String @compute(expr: "name # 1") }',
      5,
      'User.label @compute(expr): Unexpected "#".',
    );
    expectAt(
      'extend type User { label: String @compute(expr: "\'open") }',
      0,
      "User.label @compute(expr): A string opened with ' is not closed.",
    );
  });

  it('reports a value the field cannot hold, or an operator on the wrong kind of value', () => {
    expectAt(
      'extend type User { n: Int @compute(expr: "name + \'!\'") }',
      0,
      'User.n @compute(expr): The expression makes a string; the field is Int.',
    );
    expectAt(
      'extend type User { n: [Int] @compute(expr: "name.length()") }',
      0,
      'User.n @compute(expr): The expression makes a number; the field is [Int].',
    );
    expectAt(
      'extend type User { n: Int @compute(expr: "\'a\' * 2") }',
      0,
      'User.n @compute(expr): "*" takes a number, not a string.',
    );
    expectAt(
      'extend type User { n: String @compute(expr: "name.shout()") }',
      5,
      'User.n @compute(expr): There is no method "shout" (methods: map, filter, sortBy, first, last, join, sum, length, upper, lower, trim, round, number, string).',
    );
    expectAt(
      'extend type User { n: String @compute(expr: "\'a\'.join()") }',
      4,
      'User.n @compute(expr): join() applies to a list, not a string.',
    );
    expectAt(
      'extend type User { n: String @compute(expr: "tags.map(name)") }',
      9,
      'User.n @compute(expr): map() takes a lambda, item => …',
    );
    expectAt(
      'extend type User { n: String @compute(expr: "tags.map(t => name).join()") }',
      14,
      'User.n @compute(expr): A lambda reads only its parameter (t), not "name".',
    );
  });

  it('is refused beside another way to resolve the field, and on a root field', () => {
    expectOne(
      'extend type User { n: String @from(path: "x") @compute(expr: "name") }',
      '@compute',
      'User.n has @compute and @from; keep one.',
    );
    expectOne(
      'extend type User { n: User @ref(query: "user", args: { id: "$parent.id" }) @compute(expr: "name") }',
      '@compute',
      'User.n has @compute and @ref; keep one.',
    );
    expectOne(
      'extend type Query { n: String @compute(expr: "1") }',
      '@compute',
      'Query.n is a root field: @compute reads a parent record, which it has not.',
    );
  });
});

describe('unions and interfaces', () => {
  const members = `type Book { title: String! isbn: String! }
type Film { title: String! runtime: Int! }
`;

  it('compile with @discriminate by a field, by its values, by presence, or with @rest(type:) on the field', () => {
    expect(
      problems(`${members}union Item @discriminate(field: "kind", values: { book: "Book", film: "Film" }) = Book | Film
interface Titled @discriminate(has: { isbn: "Book" }, default: "Film") { title: String! }
extend type Book implements Titled
extend type Film implements Titled
union Named @discriminate(field: "meta.type") = Book | Film
extend type Query {
  items: [Item!]! @rest(source: "accounts", path: "/items")
  titled(first: Int, after: String): TitledConnection @rest(source: "accounts", path: "/titled", paginate: { style: OFFSET })
  named: Named @rest(source: "accounts", path: "/named")
  film: Titled @rest(source: "accounts", path: "/film", type: "Film")
}`),
    ).toEqual([]);
  });

  it('reports a field whose abstract records nothing picks a member for', () => {
    const sdl = `${members}union Item = Book | Film
extend type Query { items: [Item!]! @rest(source: "accounts", path: "/items") }`;
    expectOne(
      sdl,
      '[Item!]!',
      'Query.items returns Item, a union, and nothing picks which member a record is: add @discriminate to Item, @rest(type:) to the field, or a hand-written __resolveType.',
    );
    expect(problems(sdl, { Item: { __resolveType: () => 'Book' } })).toEqual([]);
  });

  it('reports a member nothing picks, a value that names no member, and a discriminator with nothing to go by', () => {
    const unpicked = `${members}type Song { title: String! }
union Item @discriminate(field: "kind", values: { book: "Book" }) = Book | Film | Song
extend type Query { items: [Item!]! @rest(source: "accounts", path: "/items") }`;
    expectOne(
      unpicked,
      '@discriminate',
      'Item @discriminate: nothing picks Film, Song; give each a value in values or has, or make it the default.',
    );
    const stranger = `${members}union Item @discriminate(field: "kind", values: { book: "Book", film: "Film", user: "User" }) = Book | Film
extend type Query { items: [Item!]! @rest(source: "accounts", path: "/items") }`;
    expectOne(
      stranger,
      '"User" }',
      'Item @discriminate(values.user): User is not a member of Item (members: Book, Film).',
    );
    const noField = `${members}union Item @discriminate(values: { book: "Book", film: "Film" }) = Book | Film
extend type Query { items: [Item!]! @rest(source: "accounts", path: "/items") }`;
    expectOne(noField, '{ book', 'Item @discriminate(values) maps the values of a field: name it with field.');
    const nothing = `${members}union Item @discriminate = Book | Film
extend type Query { items: [Item!]! @rest(source: "accounts", path: "/items") }`;
    expect(problems(nothing)).toContain(
      `${at(nothing, '@discriminate')}: Item @discriminate needs field, has or default: what tells a record's member.`,
    );
  });

  it('reports @rest(type:) that is not a member, or on a field of an object type', () => {
    const sdl = `${members}union Item @discriminate(field: "kind") = Book | Film
extend type Query {
  item: Item @rest(source: "accounts", path: "/item", type: "User")
  book: Book @rest(source: "accounts", path: "/book", type: "Book")
}`;
    expect(problems(sdl)).toEqual([
      `${at(sdl, '"User")', 1)}: Query.item @rest(type): User is not a member of Item (members: Book, Film).`,
      `${at(sdl, '"Book")')}: Query.book @rest(type) picks a member of a union or interface; Book is not one.`,
    ]);
  });
});

describe('@chain', () => {
  const teams = `type Team { id: ID! name: String! leadId: ID! @internal }
extend type User { teamLead: User @chain(steps: [{ query: "team", args: { id: "$parent.teamId" } }, { query: "user", args: { id: "$prev.leadId" } }]) }
extend type Query { team(id: ID!): Team @rest(source: "accounts", path: "/teams/{$args.id}") }
`;

  it('compiles steps whose $prev reads the record of the step before', () => {
    expect(problems(teams)).toEqual([]);
  });

  it('reports one step, a step before the last that answers a list, and what $prev cannot read', () => {
    const one = 'extend type User { self: User @chain(steps: [{ query: "user", args: { id: "$parent.id" } }]) }';
    expectOne(one, '[{ query', 'User.self @chain(steps) has one step: a chain is two calls or more (one is @ref).');
    const list = `${teams}extend type Query { teams: [Team!]! @rest(source: "accounts", path: "/teams") }
extend type User { lead: User @chain(steps: [{ query: "teams", args: {} }, { query: "user", args: { id: "$prev.leadId" } }]) }`;
    expectOne(
      list,
      '"teams", args',
      'User.lead @chain(steps.0.query): Query.teams returns [Team!]!; a step before the last answers one object, which the next reads as $prev.',
    );
    const unknown = teams.replace('$prev.leadId', '$prev.boss');
    expectOne(
      unknown,
      '$prev.boss',
      'User.teamLead @chain(steps.1.args.id): Team has no field "boss" to read; add it, or an @internal field, to Team.',
    );
    const first = teams.replace('"$parent.teamId"', '"$prev.teamId"');
    expectOne(
      first,
      '$prev.teamId',
      'User.teamLead @chain(steps.0.args.id): $prev is only available in a @chain step after the first.',
    );
  });

  it('reports a step that is not a field with @rest, a last step of another type, and a missing required argument', () => {
    expectOne(
      teams.replace('query: "team"', 'query: "nobody"'),
      '"nobody"',
      'User.teamLead @chain(steps.0.query): Query.nobody is not a field with a @rest mapping.',
    );
    expectOne(
      teams.replace('{ query: "user", args: { id: "$prev.leadId" } }', '{ query: "team", args: { id: "$prev.id" } }'),
      '"team", args: { id: "$prev.id"',
      'User.teamLead returns User but Query.team returns Team.',
    );
    expectOne(
      teams.replace('args: { id: "$prev.leadId" }', 'args: {}'),
      '{}',
      'User.teamLead @chain(steps.1.args) must give id, which Query.user requires.',
    );
  });
});

describe('@rest(answer:)', () => {
  it('reports a format the field cannot hold', () => {
    expectOne(
      'extend type Query { page: User @rest(source: "accounts", path: "/page", answer: TEXT) }',
      'TEXT',
      'Query.page @rest(answer: TEXT) reads one string; the field is User.',
    );
    expectOne(
      'extend type Query { rows: User @rest(source: "accounts", path: "/rows", answer: CSV) }',
      'CSV',
      'Query.rows @rest(answer: CSV) reads a list; the field is User.',
    );
    expect(
      problems('extend type Query { rows: [User!]! @rest(source: "accounts", path: "/rows", answer: NDJSON) }'),
    ).toEqual([]);
  });
});

describe('@rest(errors:) as data', () => {
  const types = `type Missing { message: String }
union UserResult = User | Missing
`;
  it('compiles a status mapped to a member of the field union', () => {
    expect(
      problems(
        `${types}extend type Query { found(id: ID!): UserResult @rest(source: "accounts", path: "/u/{$args.id}", type: "User", errors: [{ status: 404, type: "Missing" }]) }`,
      ),
    ).toEqual([]);
  });

  it('reports a type that is not a member, a field of an object type, and a mapping with both or neither', () => {
    const stranger = `${types}type Other { a: Int }
extend type Query { found(id: ID!): UserResult @rest(source: "accounts", path: "/u/{$args.id}", type: "User", errors: [{ status: 404, type: "Other" }]) }`;
    expectOne(
      stranger,
      '"Other"',
      'Query.found @rest(errors.type): Other is not a member of UserResult (members: User, Missing).',
    );
    const plain = `${types}extend type Query { found(id: ID!): User @rest(source: "accounts", path: "/u/{$args.id}", errors: [{ status: 404, type: "Missing" }]) }`;
    expectOne(
      plain,
      '"Missing" }',
      'Query.found @rest(errors.type): an error answer becomes data of a union or interface member; the field is User, an object type.',
    );
    const both = `${types}extend type Query { found(id: ID!): UserResult @rest(source: "accounts", path: "/u/{$args.id}", type: "User", errors: [{ status: 404, code: NOT_FOUND, type: "Missing" }]) }`;
    expectOne(both, 'NOT_FOUND, type', 'Query.found @rest(errors): a mapping has a code or a type, not both.');
    const neither = `${types}extend type Query { found(id: ID!): UserResult @rest(source: "accounts", path: "/u/{$args.id}", type: "User", errors: [{ status: 404 }]) }`;
    expectOne(
      neither,
      '{ status: 404 }',
      'Query.found @rest(errors): each mapping has a code (an error) or a type (data).',
    );
  });
});

describe('request shaping', () => {
  it('reports a header name that is not one, one the HTTP client sets, and a naming that is not one', () => {
    expectOne(
      'extend type Query { a: User @rest(source: "accounts", path: "/a", headers: ["X Account: 1"]) }',
      '["X Account',
      'Query.a @rest(headers): "X Account" is not a header name (letters, digits and !#$%&\'*+-.^_`|~).',
    );
    expectOne(
      'extend type Query { a: User @rest(source: "accounts", path: "/a", headers: ["Host: evil.example"]) }',
      '["Host',
      'Query.a @rest(headers): Host is set by the HTTP client from the request; a field cannot set it.',
    );
    expectOne(
      'extend type Query { a: User @rest(source: "accounts", path: "/a", naming: "kebab-case") }',
      '"kebab-case"',
      'Query.a @rest(naming) is "camelCase" or "snake_case".',
    );
  });
});

describe('hand-written resolvers', () => {
  it('for a field that has a mapping, or a field the schema does not have', () => {
    expect(problems('', { Query: { user: () => null, nope: () => null } })).toEqual([
      'config (resolvers): There is a resolver for Query.nope, which the schema does not have.',
      `${at('', '@rest')}: Query.user has a hand-written resolver and a mapping directive; keep one.`,
    ]);
  });
});

describe('SDL itself', () => {
  it('reports a syntax error with its file, line and column', () => {
    expect(problems('type Broken {')).toEqual(['graph.graphql:9:14: Syntax Error: Expected Name, found <EOF>.']);
  });

  it('reports an unknown type where it is used', () => {
    const sdl = 'extend type Query { lost: Lost @rest(source: "accounts", path: "/l") }';
    expect(problems(sdl)).toEqual([`${at(sdl, 'Lost')}: Unknown type "Lost". Did you mean "Float"?`]);
  });
});
