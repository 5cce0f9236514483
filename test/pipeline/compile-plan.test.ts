import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { compilePlan } from '../../src/pipeline/plan/compile-plan.ts';

const schema = buildSchema(/* GraphQL */ `
  type Query { people: [Person] person(id: ID!): Person node(id: ID!): Node greeting: String }
  interface Node { id: ID! }
  type Person implements Node { id: ID! name: String friends: [Person] initials: String }
  type Mutation { rename(name: String): Person }
`);
/** What hand-written code decides: `Query.greeting` and `Person.initials`. */
const handWritten = new Set(['Query.greeting', 'Person.initials']);
const plan = (text: string, operationName?: string) => compilePlan(schema, parse(text), operationName, handWritten);
const planned = (text: string) => {
  const compiled = plan(text);
  return compiled && { planned: compiled.fields.map((field) => field.key), left: compiled.rest?.keys ?? [] };
};

describe('compilePlan', () => {
  it('plans every root field of a declared query, through fragments and aliases', () => {
    expect(
      planned(
        '{ people { ...P friends { name } } me: person(id: 1) { __typename ... on Person { id } } } fragment P on Person { name }',
      ),
    ).toEqual({ planned: ['people', 'me'], left: [] });
  });

  it('leaves to graphql-js a root field with a hand-written field, an abstract type or introspection below it', () => {
    expect(
      planned(
        '{ greeting people { name } node(id: 1) { id } person(id: 1) { initials } __schema { queryType { name } } }',
      ),
    ).toEqual({
      planned: ['people'],
      left: ['greeting', 'node', 'person', '__schema'],
    });
  });

  it('gives graphql-js a document of the root fields it leaves, with the fragments they use', () => {
    const compiled = plan(
      'query Q($id: ID!) { person(id: $id) { ...F } people { name } } fragment F on Person { initials }',
    );
    expect(compiled?.rest?.keys).toEqual(['person']);
    expect(compiled?.order).toEqual(['person', 'people']);
    const definitions = compiled?.rest?.document.definitions ?? [];
    expect(definitions.map((definition) => definition.kind)).toEqual(['OperationDefinition', 'FragmentDefinition']);
  });

  it('coerces arguments once when they read no variable, per request when they do', () => {
    expect(plan('{ person(id: 7) { name } }')?.fields[0]?.args).toEqual({ id: '7' });
    expect(plan('query ($id: ID!) { person(id: $id) { name } }')?.fields[0]?.args).toBeUndefined();
  });

  it('plans nothing for a mutation, a directive, or a document of hand-written fields only', () => {
    expect(plan('mutation { rename(name: "x") { name } }')).toBeUndefined();
    expect(plan('query ($all: Boolean!) { people @include(if: $all) { name } }')).toBeUndefined();
    expect(plan('{ people { name @skip(if: true) } }')).toBeUndefined();
    expect(plan('{ greeting }')).toBeUndefined();
  });

  it('plans the operation asked for by name', () => {
    const text = 'query A { people { name } } query B { greeting }';
    expect(plan(text, 'A')?.fields.map((field) => field.key)).toEqual(['people']);
    expect(plan(text, 'B')).toBeUndefined();
  });
});
