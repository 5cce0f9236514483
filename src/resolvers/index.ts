/** The example graph's hand-written resolvers, typed by codegen from schema/. */
import type { Resolvers } from '../generated/graphql.ts';
import { Article, articleQueries } from './article.ts';
import { Comment } from './comment.ts';
import { mutations } from './mutations.ts';
import { Node, nodeQueries } from './node.ts';
import { User, userQueries } from './user.ts';
import { viewerQueries } from './viewer.ts';
import { ForecastPoint, Weather, weatherQueries } from './weather.ts';

export const resolvers: Resolvers = {
  Query: { ...nodeQueries, ...userQueries, ...viewerQueries, ...articleQueries, ...weatherQueries },
  Mutation: mutations,
  Node,
  User,
  Article,
  Comment,
  Weather,
  ForecastPoint,
};
