/** What the document limits measure, on a schema shaped like a REST graph. */
import { buildSchema, getOperationAST, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { compileGraph } from '../../src/mapping/graph.ts';
import { LIMIT_DIRECTIVES_SDL } from '../../src/mapping/limit-directives.ts';
import { createCostModel } from '../../src/pipeline/cost-model.ts';
import { countDirectives, measureOperation } from '../../src/pipeline/document-analysis.ts';

const schema = buildSchema(`
  ${LIMIT_DIRECTIVES_SDL}
  type Query {
    user(id: ID!): User
    users(first: Int, after: String, last: Int, before: String): UserConnection
    tags: [String!]!
    cities: [City!]!
    top(count: Int): [User!]! @listSize(slicingArguments: ["count"], assumedSize: 5)
    expensive: User @cost(weight: 50)
    matrix: [[City]]
  }
  type User { id: ID! name: String! friends(first: Int): UserConnection best: User }
  type City { name: String! }
  type UserConnection { edges: [UserEdge!]! pageInfo: PageInfo! totalCount: Int }
  type UserEdge { cursor: String! node: User! }
  type PageInfo { hasNextPage: Boolean! }
`);

function measure(query: string, variables?: Record<string, unknown>) {
  const document = parse(query);
  return measureOperation(schema, document, getOperationAST(document)!, {
    costModel: createCostModel(),
    defaultListSize: 10,
    variables,
  });
}

describe('depth', () => {
  it('counts field levels from the root, leaves included', () => {
    expect(measure('{ user(id: 1) { name } }').depth).toBe(2);
    expect(
      measure('{ users(first: 2) { edges { node { friends(first: 2) { edges { node { name } } } } } } }').depth,
    ).toBe(7);
  });

  it('does not count fragments and inline fragments as levels', () => {
    expect(measure('{ user(id: 1) { ...F ... on User { id } } } fragment F on User { best { name } }').depth).toBe(3);
  });

  it('leaves introspection to graphql-js (its own depth rule)', () => {
    expect(measure('{ __schema { types { fields { type { name } } } } user(id: 1) { name } }').depth).toBe(2);
  });
});

describe('aliases and root fields', () => {
  it('counts aliased fields, fragments expanded at each spread', () => {
    expect(
      measure('{ a: user(id: 1) { n: name } b: user(id: 2) { ...F } } fragment F on User { x: id y: id }').aliases,
    ).toBe(5);
  });

  it('counts distinct root response keys, merging repeats', () => {
    const metrics = measure('{ user(id: 1) { id } user(id: 1) { name } a: tags b: tags __typename }');
    expect(metrics.rootFields).toBe(4);
  });
});

describe('cost: objects the operation can produce', () => {
  it('multiplies a connection by first, counting the connection, its edges and nodes', () => {
    // users 1 + edges 5 × (edge 1 + node 1) + pageInfo 1
    expect(measure('{ users(first: 5) { edges { node { name } } pageInfo { hasNextPage } } }').cost).toBe(12);
  });

  it('assumes 20 for a connection without first or last', () => {
    expect(measure('{ users { edges { node { id } } } }').cost).toBe(1 + 20 * 2);
  });

  it('multiplies nested connections', () => {
    expect(
      measure('{ users(first: 100) { edges { node { friends(first: 100) { edges { node { id } } } } } } }').cost,
    ).toBe(1 + 100 * (2 + 1 + 100 * 2));
  });

  it('reads first from variables, and from the variable default', () => {
    const query = 'query($n: Int = 3) { users(first: $n) { edges { node { id } } } }';
    expect(measure(query, { n: 50 })).toMatchObject({ cost: 101, readsVariables: true });
    expect(measure(query, {}).cost).toBe(7);
  });

  it('sizes other lists by @listSize, else the default list size', () => {
    expect(measure('{ cities { name } }').cost).toBe(10);
    expect(measure('{ top(count: 7) { id } }').cost).toBe(7);
    expect(measure('{ top { id } }').cost).toBe(5);
    expect(measure('{ matrix { name } }').cost).toBe(100);
  });

  it('uses @cost weights, and scalars cost nothing', () => {
    expect(measure('{ expensive { name } tags }').cost).toBe(50);
  });

  it('counts a response key once, however many fragments select it', () => {
    const merged = measure(
      '{ users(first: 10) { edges { node { ...A ...B } } } } fragment A on User { best { id } } fragment B on User { best { name } }',
    );
    const single = measure('{ users(first: 10) { edges { node { best { id name } } } } }');
    expect(merged.cost).toBe(single.cost);
  });
});

describe('fragment bombs and cycles', () => {
  /** Each fragment selects the next one twice under different aliases: 2^levels paths. */
  const bomb = (levels: number) => {
    const fragments = Array.from(
      { length: levels },
      (_, i) => `fragment F${i} on User { a: best { ...F${i + 1} } b: best { ...F${i + 1} } }`,
    );
    return `{ user(id: 1) { ...F0 } } ${fragments.join(' ')} fragment F${levels} on User { name }`;
  };

  it('measures 2^40 expanded paths exactly, in one visit per fragment', () => {
    const metrics = measure(bomb(40));
    expect(metrics.depth).toBe(42);
    expect(metrics.aliases).toBe(2 ** 41 - 2);
    expect(metrics.cost).toBe(2 ** 41 - 1);
  });

  it('cuts a fragment cycle where it closes instead of looping', () => {
    const metrics = measure(
      '{ user(id: 1) { ...A } } fragment A on User { best { ...B } } fragment B on User { best { ...A } }',
    );
    expect(metrics.depth).toBeGreaterThan(0);
    expect(Number.isFinite(metrics.cost)).toBe(true);
  });
});

describe('directives', () => {
  it('counts every use in the document as written', () => {
    expect(
      countDirectives(
        parse('query @a { user(id: 1) @include(if: true) { name @skip(if: false) @b } } fragment F on User @c { id }'),
      ),
    ).toBe(5);
  });
});

describe('upstream calls: a connection whose first pages are batched', () => {
  // users: one call; User.friends: the first page of every user in one call (a PAGE list of pages of 50).
  const costModel = createCostModel((coordinate) =>
    coordinate === 'Query.users'
      ? { kind: 'per-parent', pageSize: 50 }
      : coordinate === 'User.friends'
        ? { kind: 'batched', max: 100, firstPage: { pageSize: 50, totalPerParent: true } }
        : undefined,
  );
  const calls = (query: string) => {
    const document = parse(query);
    return measureOperation(schema, document, getOperationAST(document)!, { costModel, defaultListSize: 10 }).calls;
  };

  it('counts one call for the first pages of all parents', () => {
    expect(calls('{ users(first: 40) { edges { node { friends(first: 3) { edges { node { name } } } } } } }')).toBe(2);
  });

  it('counts a call per parent for what the batch does not serve: totals, later windows, a page as large as pageSize', () => {
    expect(
      calls('{ users(first: 40) { edges { node { friends(first: 3) { totalCount edges { node { name } } } } } } }'),
    ).toBe(1 + 1 + 40);
    expect(
      calls('{ users(first: 40) { edges { node { friends(first: 3) { ... on UserConnection { totalCount } } } } } }'),
    ).toBe(1 + 1 + 40);
    expect(
      calls('{ users(first: 40) { edges { node { friends(first: 3, after: "x") { edges { node { name } } } } } } }'),
    ).toBe(1 + 40);
    expect(calls('{ users(first: 40) { edges { node { friends(first: 50) { edges { node { name } } } } } } }')).toBe(
      1 + 40,
    );
  });
});

describe('hand-written fields (what server.dedupe "declared" does not share)', () => {
  const { schema: served, handWritten } = compileGraph({
    files: [
      {
        name: 'mixed.graphql',
        body: `interface Named @discriminate(field: "kind") { name: String! }
          type Person implements Named { name: String! id: ID! }
          type Place { title: String! }
          union Found @discriminate(field: "kind") = Person | Place
          interface Shape { sides: Int! }
          type Square implements Shape { sides: Int! }
          type Query {
            named: Named @rest(source: "s", path: "/named")
            person: Person @rest(source: "s", path: "/person")
            found: Found @rest(source: "s", path: "/found")
            shape: Shape @rest(source: "s", path: "/shape")
          }`,
      },
    ],
    sources: { s: { naming: 'camelCase', forwardHeaders: [], maxPageSize: 100, pagination: undefined } },
    resolvers: { Person: { name: () => 'Ada' }, Shape: { __resolveType: () => 'Square' } },
  });
  const selects = (query: string) => {
    const document = parse(query);
    return measureOperation(served, document, getOperationAST(document)!, {
      costModel: createCostModel(undefined, handWritten),
      defaultListSize: 10,
    }).handWritten;
  };

  it('finds a hand-written field however it is reached: directly, through its interface, in a fragment', () => {
    expect(selects('{ person { name } }')).toBe(true);
    expect(selects('{ named { name } }')).toBe(true);
    expect(selects('{ found { ... on Person { ...N } } } fragment N on Named { name }')).toBe(true);
  });

  it('counts a field whose type hand-written code picks', () => {
    expect(selects('{ shape { sides } }')).toBe(true);
  });

  it('leaves operations of declared and plain fields alone', () => {
    expect(selects('{ person { id } found { __typename ... on Place { title } } }')).toBe(false);
  });
});
