/** Operations compiled once, written by a serializer made for their shape where that is exact. */
import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { compileOperation } from '../../src/pipeline/compile-operation.ts';

const schema = buildSchema(`
  scalar Json
  interface Named { name: String! }
  type Person implements Named { name: String! age: Int }
  type Robot implements Named { name: String! model: String! }
  type Post { id: ID! title: String! tags: [String!]! author: Person meta: Json }
  type Query { posts: [Post!]! named: [Named!]! }
`);
const posts = [
  { id: 1, title: 'Quotes " and \\\\ and \u2028 and ☃', tags: ['a', 'b'], author: { name: 'Ada', age: null } },
  { id: '2', title: '', tags: [], author: null },
];
const root = {
  posts,
  named: [
    { __typename: 'Robot', name: 'R2', model: 'astromech' },
    { __typename: 'Person', name: 'Ada', age: 36 },
  ],
};

async function answer(query: string) {
  const operation = compileOperation(schema, parse(query), undefined);
  if (!operation) throw new Error('not compiled');
  const result = (await operation.query.query(root, {}, {})) as object;
  return { operation, result };
}

describe('compileOperation', () => {
  it('writes an answer of plain objects, lists, nulls and escapes exactly as JSON.stringify', async () => {
    const { operation, result } = await answer('{ posts { id title tags author { name age } } }');
    expect(operation.writeAnswer).toBeDefined();
    const written = operation.writeAnswer?.(result) as string;
    expect(written).toBe(JSON.stringify(result));
    expect(JSON.parse(written)).toEqual({
      data: {
        posts: [
          { id: '1', title: posts[0]!.title, tags: ['a', 'b'], author: { name: 'Ada', age: null } },
          { id: '2', title: '', tags: [], author: null },
        ],
      },
    });
  });

  it('keeps JSON.stringify for an operation that selects an interface or union field', async () => {
    const { operation, result } = await answer(
      '{ named { __typename name ... on Robot { model } ... on Person { age } } }',
    );
    expect((operation.writeAnswer ?? JSON.stringify)(result)).toBe(JSON.stringify(result));
    expect(operation.writeAnswer).toBeUndefined();
    expect(result).toEqual({
      data: {
        named: [
          { __typename: 'Robot', name: 'R2', model: 'astromech' },
          { __typename: 'Person', name: 'Ada', age: 36 },
        ],
      },
    });
  });

  it('keeps JSON.stringify for an operation that selects a custom scalar, and still compiles it', async () => {
    const { operation } = await answer('{ posts { meta } }');
    expect(operation.writeAnswer).toBeUndefined();
  });
});
