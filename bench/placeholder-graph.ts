/**
 * The benchmark graph (as in tailcallhq/graphql-benchmarks) served by GraftQL
 * over a JSONPlaceholder-shaped upstream: posts, and each post's user through
 * one batch call per request.
 */
import type DataLoader from 'dataloader';
import { z } from 'zod';
import { batchLoader } from '../src/loaders/batch-loaders.ts';
import type { Graph } from '../src/server/graph.ts';
import type { BoundSource } from '../src/sources/request-sources.ts';
import { path } from '../src/sources/url.ts';

const user = z.object({ id: z.number(), name: z.string(), username: z.string(), email: z.string(), phone: z.string(), website: z.string() });
const post = z.object({ id: z.number(), userId: z.number(), title: z.string(), body: z.string() });
type User = z.output<typeof user>;
type Post = z.output<typeof post>;

interface Context {
  sources: { upstream: BoundSource };
  loaders: { userById: DataLoader<string, User> };
}

export const placeholderGraph: Graph<'upstream', Context['loaders']> = {
  typeDefs: [
    /* GraphQL */ `
    type Query { posts: [Post] greet: String! }
    type Post { id: Int! userId: Int! title: String body: String user: User }
    type User { id: Int! name: String username: String email: String phone: String website: String }
  `,
  ],
  sources: ['upstream'],
  resolvers: {
    Query: {
      posts: (_: unknown, __: unknown, { sources }: Context) => sources.upstream.fetch(z.array(post), { path: path`/posts` }),
      greet: () => 'Hello World!',
    },
    Post: {
      user: (parent: Post, _: unknown, { loaders }: Context) => loaders.userById.load(String(parent.userId)),
    },
  } as Graph['resolvers'],
  createLoaders: (sources) => ({
    userById: batchLoader({
      source: sources.upstream,
      path: path`/users`,
      style: { kind: 'repeated', param: 'id' },
      shape: z.array(user),
      rowsOf: (users) => users,
      keyPath: 'id',
      maxBatchSize: 100,
      entity: 'User',
    }),
  }),
};
