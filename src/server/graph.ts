import type { IResolvers } from '@graphql-tools/utils';
import type { BoundSource } from '../sources/request-sources.ts';

/**
 * What a gateway serves: SDL, the resolvers over it, the sources they call
 * (start-up fails when the config lacks one), and the per-request loaders
 * they share. The example graph (src/resolvers/graph.ts) is the default.
 */
export interface Graph<Sources extends string = string, Loaders = unknown> {
  typeDefs: string[];
  // Resolver maps are typed where they are written (codegen); here they are only passed on.
  resolvers: IResolvers<unknown, never>;
  sources: readonly Sources[];
  createLoaders(sources: Readonly<Record<Sources, BoundSource>>): Loaders;
}
