/** The example graph's hand-written resolvers, typed by codegen from schema/. */
import type { Resolvers } from '../generated/graphql.ts';
import { Article, articleQueries } from './article.ts';
import { Comment } from './comment.ts';
import { Node, nodeQueries } from './node.ts';
import { User, userQueries } from './user.ts';
import { ForecastPoint, Weather, weatherQueries } from './weather.ts';

export const resolvers: Resolvers = {
  Query: { ...nodeQueries, ...userQueries, ...articleQueries, ...weatherQueries },
  Node,
  User,
  Article,
  Comment,
  Weather,
  ForecastPoint,
};
