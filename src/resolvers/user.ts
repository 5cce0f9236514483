import type { QueryResolvers, UserResolvers } from '../generated/graphql.ts';
import { indexConnection, offsetRanges } from '../pagination/index-adapter.ts';
import { path } from '../sources/url.ts';
import { articlesByAuthor } from './article.ts';
import { idOf, toGlobalId } from './global-id.ts';
import { accountsPage } from './records.ts';
import { weatherIn } from './weather.ts';

export const userQueries: Pick<QueryResolvers, 'user' | 'users'> = {
  user: (_, { id }, { loaders }) => loaders.userById.load(idOf(id, 'User')),

  users: (_, args, { sources, cursors }) => {
    const ranges = offsetRanges(async (offset, limit) => {
      const page = await sources.accounts.fetch(accountsPage, { path: path`/users`, query: { offset, limit } });
      return { items: page.users, total: page.total };
    }, sources.accounts.maxPageSize);
    return indexConnection(args, cursors.scope('Query.users'), ranges, { source: 'accounts' });
  },
};

export const User: UserResolvers = {
  id: (user) => toGlobalId('User', user.id),
  createdAt: (user) => user.created_at,
  articles: (user, args, { sources, loaders, cursors }) => articlesByAuthor(sources, loaders, cursors, user.id, args),
  weather: (user, _, { sources }) => weatherIn(sources, user.city),
};
