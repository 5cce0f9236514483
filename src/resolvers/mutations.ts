/**
 * Writes. Each goes through its source once (writes are never shared or
 * cached) and makes the source drop the cached reads it affects, so a read
 * after a write sees it.
 */
import type { MutationResolvers } from '../generated/graphql.ts';
import { badUserInput } from '../errors.ts';
import { path } from '../sources/url.ts';
import { idOf } from './global-id.ts';
import { articleRecord, commentRecord } from './records.ts';

export const mutations: MutationResolvers = {
  createArticle: async (_, { input }, { sources }) => {
    const authorId = idOf(input.authorId, 'User');
    const article = await sources.content.fetch(articleRecord, {
      method: 'POST',
      path: path`/articles`,
      json: { title: input.title, body: input.body, category: input.category, author_id: Number(authorId) },
    });
    sources.content.invalidate([path`/users/${article.author_id}/articles`]);
    return article;
  },

  updateArticle: async (_, { id, patch }, { sources }) => {
    const articleId = idOf(id, 'Article');
    const changes = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== null && value !== undefined));
    if (Object.keys(changes).length === 0) throw badUserInput('patch must change at least one field.');
    const article = await sources.content.fetch(articleRecord, { method: 'PATCH', path: path`/articles/${articleId}`, json: changes });
    // The author's own list holds the article too.
    sources.content.invalidate([path`/users/${article.author_id}/articles`]);
    return article;
  },

  deleteArticle: async (_, { id }, { sources, loaders }) => {
    const articleId = idOf(id, 'Article');
    const article = await loaders.articleById.load(articleId);
    await sources.content.request({ method: 'DELETE', path: path`/articles/${articleId}` });
    sources.content.invalidate([path`/users/${article.author_id}/articles`]);
    return id;
  },

  addComment: async (_, { articleId, body, authorId }, { sources }) => {
    const article = idOf(articleId, 'Article');
    return sources.comments.fetch(commentRecord, {
      method: 'POST',
      path: path`/articles/${article}/comments`,
      form: { body, author_id: idOf(authorId, 'User') },
    });
  },
};
