/** Bounds on String and ID values, before any of them reaches an upstream. */
import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { LIMIT_DIRECTIVES_SDL } from '../../src/mapping/limit-directives.ts';
import { argumentCheck } from '../../src/pipeline/argument-bounds.ts';

const schema = buildSchema(`
  ${LIMIT_DIRECTIVES_SDL}
  type Query {
    user(id: ID!): String
    users(ids: [ID!]!): String
    search(text: String, filter: Filter): String
    note(body: String @length(max: 50)): String
    count(n: Int): String
  }
  input Filter { city: String, authorId: ID, and: [Filter!], bio: String @length(max: 3) }
`);
const bounds = { maxStringLength: 10, maxIdLength: 5 };
const check = (query: string, variables?: Record<string, unknown>) => () =>
  argumentCheck(schema, parse(query), bounds)(variables);
const refused = (run: () => void) => {
  try {
    run();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
};

describe('argument bounds', () => {
  it.each([
    ['an ID literal over maxIdLength', '{ user(id: "123456") }'],
    ['a String literal over maxStringLength', '{ search(text: "12345678901") }'],
    ['an ID inside a list', '{ users(ids: ["1", "123456"]) }'],
    ['a String inside an input object', '{ search(filter: { city: "12345678901" }) }'],
    ['an ID inside a nested input list', '{ search(filter: { and: [{ authorId: "123456" }] }) }'],
    ['a field with its own @length', '{ search(filter: { bio: "1234" }) }'],
    ['an ID with a control character', '{ user(id: "1\\u0000") }'],
    ['an ID with a newline', '{ user(id: "1\\n2") }'],
  ])('refuses %s', (_name, query) => {
    expect(refused(check(query))).toBe('BAD_USER_INPUT');
  });

  it.each([
    ['an ID variable', 'query($id: ID!) { user(id: $id) }', { id: '123456' }],
    ['an ID list variable', 'query($ids: [ID!]!) { users(ids: $ids) }', { ids: ['1', 'x'.repeat(6)] }],
    ['a variable coerced into a list', 'query($id: ID!) { users(ids: [$id]) }', { id: '123456' }],
    [
      'an input object variable',
      'query($f: Filter) { search(filter: $f) }',
      { f: { and: [{ city: 'x'.repeat(11) }] } },
    ],
    ['a variable inside an input literal', 'query($c: String) { search(filter: { city: $c }) }', { c: 'x'.repeat(11) }],
    [
      'an ID that is not well-formed Unicode (JSON allows a lone surrogate)',
      'query($id: ID!) { user(id: $id) }',
      JSON.parse('{"id": "\\ud800"}') as Record<string, unknown>,
    ],
  ])('refuses %s over its bound', (_name, query, variables) => {
    expect(refused(check(query, variables))).toBe('BAD_USER_INPUT');
  });

  it('lets values within their bounds through, @length raising the default', () => {
    expect(
      refused(
        check(
          `{ user(id: "12345") search(text: "1234567890", filter: { bio: "123" }) note(body: "${'x'.repeat(50)}") count(n: 5) }`,
        ),
      ),
    ).toBeUndefined();
    expect(refused(check(`{ note(body: "${'x'.repeat(51)}") }`))).toBe('BAD_USER_INPUT');
  });

  it('allows newlines in strings, which are not IDs', () => {
    expect(refused(check('{ search(text: "a\\nb") }'))).toBeUndefined();
  });

  it('never walks a __proto__ key into Object.prototype', () => {
    const variables = JSON.parse('{"f": {"__proto__": {"city": "xxxxxxxxxxxxxxxxxxxx"}}}') as Record<string, unknown>;
    expect(refused(check('query($f: Filter) { search(filter: $f) }', variables))).toBeUndefined();
  });

  it('refuses input objects nested deeper than it walks', () => {
    let filter: Record<string, unknown> = { city: 'x' };
    for (let i = 0; i < 100; i++) filter = { and: [filter] };
    expect(refused(check('query($f: Filter) { search(filter: $f) }', { f: filter }))).toBe('BAD_USER_INPUT');
  });
});
