import { createLoaders } from '../loaders/create-loaders.ts';
import type { Graph } from '../server/graph.ts';
import { loadTypeDefs } from './type-defs.ts';
import { GRAPH_SOURCES } from './graph-sources.ts';
import { resolvers } from './index.ts';

/** The example graph over the four bundled REST services: schema/*.graphql and these resolvers. */
export const exampleGraph: Graph = {
  typeDefs: loadTypeDefs(),
  resolvers: resolvers as Graph['resolvers'],
  sources: GRAPH_SOURCES,
  createLoaders: createLoaders as Graph['createLoaders'],
};
