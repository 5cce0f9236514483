import type { NodeResolvers, QueryResolvers } from '../generated/graphql.ts';
import { badUserInput } from '../errors.ts';
import { fromGlobalId } from './global-id.ts';

export const nodeQueries: Pick<QueryResolvers, 'node'> = {
  node: async (_, { id }, { loaders }) => {
    const { type, id: upstreamId } = fromGlobalId(id);
    if (type === 'User') return { __typename: 'User', ...(await loaders.userById.load(upstreamId)) };
    if (type === 'Article') return { __typename: 'Article', ...(await loaders.articleById.load(upstreamId)) };
    throw badUserInput(`${type.slice(0, 32)} objects cannot be fetched by id.`);
  },
};

export const Node: NodeResolvers = {
  __resolveType: (node) => node.__typename,
};
