/**
 * The benchmark graph written by hand (resolvers, a zod-checked loader),
 * the way GraftQL graphs were written before `@rest`: kept to compare with
 * the declarative one in one `npm run bench` run (`BENCH_GRAPH=hand-written`).
 */
import { readFileSync } from 'node:fs';
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

/** The declarative graph's SDL without its mapping directives. */
const sdl = readFileSync(new URL('./placeholder/schema.graphql', import.meta.url), 'utf8').replace(/\s@(rest|listSize)\((?:[^()]|\([^()]*\))*\)/g, '');

export const handWrittenGraph: Graph = {
  files: [{ name: 'bench/placeholder/schema.graphql (hand-written)', body: sdl }],
  resolvers: {
    Query: {
      posts: (_: unknown, __: unknown, { sources }: Context) => sources.upstream.fetch(z.array(post), { path: path`/posts` }),
      greet: () => 'Hello World!',
    },
    Post: {
      user: (parent: Post, _: unknown, { loaders }: Context) => loaders.userById.load(String(parent.userId)),
    },
  },
  loaders: (sources) => ({
    userById: batchLoader({
      source: sources.upstream as BoundSource,
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
