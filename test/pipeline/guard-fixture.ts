/** An in-memory schema whose lists are as long as asked, guarded as the gateway guards its own. */
import { makeExecutableSchema as build } from '@graphql-tools/schema';
import { type ExecutionResult, execute as executeJs, type GraphQLSchema, parse } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import { guardSchema } from '../../src/pipeline/execution-guard.ts';

interface Item {
  id: number;
}

export function makeExecutableSchema({ onResolve = () => {} }: { onResolve?: () => void } = {}): GraphQLSchema {
  return guardSchema(
    build({
      typeDefs: `type Query { items(count: Int!): [Item!]! page(count: Int!): ItemConnection! listing(count: Int!): Listing! }
        type Item { id: Int! next: Item }
        interface Listing { kind: String! }
        type ItemConnection implements Listing { kind: String! edges: [ItemEdge!]! }
        type ItemEdge { node: Item! }`,
      resolvers: {
        Query: {
          items: (_: unknown, { count }: { count: number }) => Array.from({ length: count }, (_, id) => ({ id })),
          page: (_: unknown, { count }: { count: number }) => ({
            kind: 'page',
            edges: Array.from({ length: count }, (_, id) => ({ node: { id } })),
          }),
          listing: (_: unknown, { count }: { count: number }) => ({
            kind: 'page',
            edges: Array.from({ length: count }, (_, id) => ({ node: { id } })),
          }),
        },
        Listing: { __resolveType: () => 'ItemConnection' },
        Item: {
          next: (item: Item) => {
            onResolve();
            return { id: item.id + 1 };
          },
        },
      },
    }),
  );
}

export async function execute(
  executor: 'graphql-js' | 'graphql-jit',
  schema: GraphQLSchema,
  query: string,
  contextValue: object,
): Promise<ExecutionResult> {
  const document = parse(query);
  if (executor === 'graphql-js') return executeJs({ schema, document, contextValue });
  const compiled = compileQuery(schema, document);
  if (!isCompiledQuery(compiled)) throw new Error('did not compile');
  return compiled.query(undefined, contextValue, {});
}
