import type { CommentResolvers } from '../generated/graphql.ts';
import type { Connection, ConnectionArgs } from '../pagination/connection.ts';
import type { CursorCodec } from '../pagination/cursor.ts';
import { indexConnection, pageRanges } from '../pagination/index-adapter.ts';
import { path } from '../sources/url.ts';
import { toGlobalId } from './global-id.ts';
import type { GraphSources } from './graph-sources.ts';
import { commentsPage, type CommentRecord } from './records.ts';

export const Comment: CommentResolvers = {
  id: (comment) => toGlobalId('Comment', comment.id),
  createdAt: (comment) => comment.created_at,
  author: (comment, _, { loaders }) => loaders.userById.load(comment.author_id),
};

export function commentsOn(sources: GraphSources, cursors: CursorCodec, articleId: string, args: ConnectionArgs): Promise<Connection<CommentRecord>> {
  const ranges = pageRanges(async (page, perPage) => {
    const answer = await sources.comments.fetch(commentsPage, { path: path`/articles/${articleId}/comments`, query: { page, per_page: perPage } });
    return { items: answer.comments, total: answer.total, page: answer.page };
  }, sources.comments.maxPageSize);
  return indexConnection(args, cursors.scope('Article.comments', articleId), ranges, { source: 'comments' });
}
