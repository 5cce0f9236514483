import type { ArticleResolvers, QueryResolvers } from '../generated/graphql.ts';
import type { Loaders } from '../loaders/create-loaders.ts';
import { chainedConnection, firstPageFromBatch, type LinkedPageFetcher } from '../pagination/chained-adapter.ts';
import { toSlice, type Connection, type ConnectionArgs } from '../pagination/connection.ts';
import type { CursorCodec } from '../pagination/cursor.ts';
import { path, type UpstreamPath } from '../sources/url.ts';
import { commentsOn } from './comment.ts';
import { idOf, toGlobalId } from './global-id.ts';
import type { GraphSources } from './graph-sources.ts';
import { contentPage, type ArticleRecord } from './records.ts';

export const articleQueries: Pick<QueryResolvers, 'article' | 'articles'> = {
  article: (_, { id }, { loaders }) => loaders.articleById.load(idOf(id, 'Article')),
  articles: (_, { category, ...args }, { sources, cursors }) =>
    chainedConnection(args, cursors.scope('Query.articles', category), contentPages(sources, path`/articles`, { category }), { source: 'content', linksBack: true }),
};

export const Article: ArticleResolvers = {
  id: (article) => toGlobalId('Article', article.id),
  createdAt: (article) => article.created_at,
  author: (article, _, { loaders }) => loaders.userById.load(article.author_id),
  comments: (article, args, { sources, cursors }) => commentsOn(sources, cursors, article.id, args),
};

/**
 * A user's articles. The first page of every user in a request comes from one
 * batch call (`/articles?author_id=…`); other windows walk the user's own list.
 */
export async function articlesByAuthor(sources: GraphSources, loaders: Loaders, cursors: CursorCodec, userId: string, args: ConnectionArgs): Promise<Connection<ArticleRecord>> {
  const scope = cursors.scope('User.articles', userId);
  const slice = toSlice(args);
  if (slice.direction === 'forward' && slice.after === null && slice.before === null && slice.count < sources.content.maxPageSize) {
    // One row more than asked tells whether there is a next page; all of them lie on the first upstream page, as cursors expect.
    return firstPageFromBatch(await loaders.firstArticlesByAuthor(slice.count + 1).load(userId), slice.count, scope);
  }
  return chainedConnection(args, scope, contentPages(sources, path`/users/${userId}/articles`), { source: 'content', linksBack: true });
}

/** content's body cursors (`next_cursor`, `prev_cursor`), always at its largest page. */
function contentPages(sources: GraphSources, listPath: UpstreamPath, filters: Record<string, string | null | undefined> = {}): LinkedPageFetcher<ArticleRecord> {
  return async (cursor) => {
    const page = await sources.content.fetch(contentPage, { path: listPath, query: { ...filters, cursor, limit: sources.content.maxPageSize } });
    return { items: page.data, next: page.next_cursor, prev: page.prev_cursor ?? null };
  };
}
