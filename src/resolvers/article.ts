import type { ArticleResolvers, QueryResolvers } from '../generated/graphql.ts';
import { fingerprint } from '../pagination/cursor.ts';
import { cursorConnection, firstPageFromBatch } from '../pagination/cursor-adapter.ts';
import type { Loaders } from '../loaders/create-loaders.ts';
import { pageSize, type Connection, type ForwardArgs } from '../pagination/connection.ts';
import { path, type UpstreamPath } from '../sources/url.ts';
import { commentsOn } from './comment.ts';
import { idOf, toGlobalId } from './global-id.ts';
import type { GraphSources } from './graph-sources.ts';
import { contentPage, type ArticleRecord } from './records.ts';

/** The content service's largest page. */
const CONTENT_MAX_LIMIT = 100;

export const articleQueries: Pick<QueryResolvers, 'article' | 'articles'> = {
  article: (_, { id }, { loaders }) => loaders.articleById.load(idOf(id, 'Article')),
  articles: (_, { first, after, category }, { sources }) =>
    articlePages(sources, path`/articles`, { first, after }, fingerprint('Query.articles', category), { category }),
};

export const Article: ArticleResolvers = {
  id: (article) => toGlobalId('Article', article.id),
  createdAt: (article) => article.created_at,
  author: (article, _, { loaders }) => loaders.userById.load(article.author_id),
  comments: (article, args, { sources }) => commentsOn(sources, article.id, args),
};

/**
 * A user's articles. The first page of every user in a request comes from one
 * batch call (`/articles?author_id=…`); later pages walk the user's own list.
 */
export async function articlesByAuthor(sources: GraphSources, loaders: Loaders, userId: string, args: ForwardArgs): Promise<Connection<ArticleRecord>> {
  const print = fingerprint('User.articles', userId);
  const first = pageSize(args.first);
  if (!args.after && first < CONTENT_MAX_LIMIT) {
    // One row more than asked tells whether there is a next page.
    return firstPageFromBatch(await loaders.firstArticlesByAuthor(first + 1).load(userId), args, print);
  }
  return articlePages(sources, path`/users/${userId}/articles`, args, print);
}

function articlePages(sources: GraphSources, listPath: UpstreamPath, args: ForwardArgs, print: string, filters: Record<string, string | null | undefined> = {}) {
  return cursorConnection(args, print, CONTENT_MAX_LIMIT, async (cursor, limit) => {
    const page = await sources.content.fetch(contentPage, { path: listPath, query: { ...filters, cursor, limit } });
    return { items: page.data, next: page.next_cursor };
  });
}
