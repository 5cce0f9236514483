/**
 * The graph as a federation subgraph, as `graftql check` and start-up see
 * it: the SDL `_service` serves, the entities, and each mistake with the
 * file, line and column it is about (composition's own errors included,
 * placed at the definition they name).
 */
import { describe, expect, it } from 'vitest';
import { GraphError } from '../../src/mapping/diagnostics.ts';
import { compileGraph } from '../../src/mapping/graph.ts';

const SOURCES = { shop: { naming: 'camelCase' as const, forwardHeaders: [], maxPageSize: 100, pagination: undefined } };
const BASE = `type User @node(fetch: "user") { id: ID!, name: String! }
type Query { user(id: ID! @globalId(type: "User")): User @rest(source: "shop", path: "/users/{$args.id}") }
`;

const compile = (sdl: string, federation = true) =>
  compileGraph({ files: [{ name: 'graph.graphql', body: BASE + sdl }], sources: SOURCES, federation });

function problems(sdl: string): string[] {
  try {
    compile(sdl);
    return [];
  } catch (error) {
    if (!(error instanceof GraphError)) throw error;
    return error.diagnostics.map(({ at, message }) => `${at}: ${message}`);
  }
}

describe('the subgraph', () => {
  it('serves the SDL a supergraph composes: the federation directives the graph wrote, the keys @node implies, no mapping directive', () => {
    const graph = compile(`type Product @key(fields: "upc") @shareable {
  upc: String!
  weight: Int @external
  price: Float @requires(fields: "weight") @rest(source: "shop", path: "/prices/{$parent.upc}") @tag(name: "shop")
}`);
    const sdl = graph.subgraph?.sdl ?? '';
    expect(sdl.split('\n')[0]).toBe(
      'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@external", "@key", "@requires", "@shareable", "@tag"])',
    );
    expect(sdl).toContain('type User @key(fields: "id") {');
    expect(sdl).toContain('type Product @key(fields: "upc") @shareable {');
    expect(sdl).toContain('price: Float @requires(fields: "weight") @tag(name: "shop")');
    expect(sdl).not.toMatch(/@rest|@node|@globalId|_entities|_service|directive @/);
    expect([...(graph.subgraph?.entities ?? [])]).toEqual([
      ['User', { fetch: 'user', globalId: true }],
      ['Product', {}],
    ]);
    // The served schema gains the federation fields.
    expect(graph.sdl).toContain('_entities(representations: [_Any!]!): [_Entity]!');
    expect(graph.sdl).toContain('union _Entity = User | Product');
  });

  it('is not served unless asked for: the federation directives are then only allowed', () => {
    const graph = compile('type Product @key(fields: "upc") { upc: String! }', false);
    expect(graph.subgraph).toBeUndefined();
    expect(graph.sdl).not.toMatch(/_service|_entities/);
  });

  it('marks a key resolvable: false as not resolved here', () => {
    const graph = compile('type Review @key(fields: "id", resolvable: false) { id: ID!, body: String! }');
    expect([...(graph.subgraph?.entities.keys() ?? [])]).toEqual(['User']);
  });
});

describe('mistakes, with their place', () => {
  it('names a composition error at the definition it is about, with its code', () => {
    expect(
      problems('type Product @key(fields: "sku") {\n  upc: String! @rest(source: "shop", path: "/upc")\n}'),
    ).toEqual([
      expect.stringMatching(
        /^graph\.graphql:3:1: federation: On type "Product", for @key\(fields: "sku"\): Cannot query field "sku".* \(KEY_INVALID_FIELDS\)$/,
      ),
    ]);
    expect(
      problems(
        'type Product @key(fields: "upc") {\n  upc: String!\n  price: Float @requires(fields: "weight") @rest(source: "shop", path: "/p")\n}',
      ),
    ).toEqual([
      expect.stringMatching(
        /^graph\.graphql:5:3: federation: On field "Product\.price", for @requires\(fields: "weight"\).*\(REQUIRES_INVALID_FIELDS\)$/,
      ),
    ]);
  });

  it('refuses a field of an extended entity that nothing resolves', () => {
    expect(problems('type Product @key(fields: "upc") {\n  upc: String!\n  name: String!\n}')).toEqual([
      'graph.graphql:5:3: Product.name: Product is an entity this graph resolves from its representation alone (it has no @node(fetch:)), so name must be in its @key, be @external, or be mapped (@rest, @ref, or a resolver).',
    ]);
  });

  it('refuses a key other than id on a type fetched by its global id', () => {
    expect(
      problems('').length === 0 &&
        problems('extend type User @key(fields: "name")').map((problem) => problem.replace(/:\d+:\d+:/, ':L:C:')),
    ).toEqual(['graph.graphql:L:C: User @key: a @node(fetch:) type is fetched by its global id, so its key is "id".']);
  });
});
