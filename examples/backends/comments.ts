/**
 * comments: a "legacy" API. HTTP Basic; page-number pagination (`page`,
 * `per_page`, `total_pages`) with RFC 8288 `Link` headers; one-to-many batch
 * `/comments?article_id=1&article_id=2&per_article=N`; form-encoded
 * writes, each announced with a signed webhook (comment.added); a vendor
 * JSON content type.
 */
import { intParam } from './accounts.ts';
import { commentsDocument } from './openapi.ts';
import { type CommentRow, seed } from './seed.ts';
import { basicCredentials, type Service, startService } from './service.ts';
import { createWebhookSender } from './webhooks.ts';

export interface CommentsOptions {
  user: string;
  password: string;
  port?: number;
  /** Signs webhooks (whsec_ and base64) and where they go; none are sent without a target. */
  webhooks?: { secret: string; target: () => string | undefined };
}

const MAX_PER_PAGE = 100;

export async function startComments({ user, password, port, webhooks: signing }: CommentsOptions): Promise<Service> {
  const webhooks = signing && createWebhookSender(signing);
  const byArticle = new Map<string, CommentRow[]>();
  for (const comment of seed.comments) {
    const key = String(comment.article_id);
    byArticle.set(key, [...(byArticle.get(key) ?? []), { ...comment }]);
  }
  let nextId = seed.comments.length + 1;
  let baseUrl = '';

  const service = await startService(
    {
      name: 'comments',
      openapi: commentsDocument(),
      contentType: 'application/vnd.comments.v1+json; charset=utf-8',
      authorize: (headers) => {
        const credentials = basicCredentials(headers);
        return credentials?.user === user && credentials.password === password;
      },
      routes: [
        {
          method: 'GET',
          path: '/articles/:id/comments',
          handle: ({ params, query }) => {
            const articleId = params.id ?? '';
            const rows = byArticle.get(articleId) ?? [];
            const page = intParam(query.get('page'), 1);
            const perPage = intParam(query.get('per_page'), 10);
            if (page === undefined || page < 1 || perPage === undefined || perPage < 1 || perPage > MAX_PER_PAGE) {
              return { status: 400, body: { error: 'bad_request', message: `page >= 1, per_page 1..${MAX_PER_PAGE}` } };
            }
            const totalPages = Math.max(1, Math.ceil(rows.length / perPage));
            const link = linkHeader(
              `${baseUrl}/articles/${encodeURIComponent(articleId)}/comments`,
              page,
              perPage,
              totalPages,
            );
            return {
              status: 200,
              headers: { link },
              body: {
                comments: rows.slice((page - 1) * perPage, page * perPage),
                page,
                per_page: perPage,
                total_pages: totalPages,
                total: rows.length,
              },
            };
          },
        },
        {
          method: 'GET',
          path: '/comments',
          // One-to-many batch: the first `per_article` comments of each article, in one flat list.
          handle: ({ query }) => {
            const articles = [...new Set(query.getAll('article_id'))];
            const perArticle = intParam(query.get('per_article'), 10);
            if (
              articles.length === 0 ||
              articles.length > MAX_PER_PAGE ||
              perArticle === undefined ||
              perArticle < 1 ||
              perArticle > MAX_PER_PAGE
            ) {
              return {
                status: 400,
                body: {
                  error: 'bad_request',
                  message: `1..${MAX_PER_PAGE} article_id, per_article 1..${MAX_PER_PAGE}`,
                },
              };
            }
            return {
              status: 200,
              body: { comments: articles.flatMap((article) => (byArticle.get(article) ?? []).slice(0, perArticle)) },
            };
          },
        },
        {
          method: 'POST',
          path: '/articles/:id/comments',
          handle: ({ params, headers, body }) => {
            if (!headers['content-type']?.startsWith('application/x-www-form-urlencoded')) {
              return {
                status: 415,
                body: { error: 'unsupported_media_type', message: 'send application/x-www-form-urlencoded' },
              };
            }
            const form = new URLSearchParams(body);
            const text = form.get('body');
            const authorId = intParam(form.get('author_id'), -1);
            if (!text || authorId === undefined || authorId < 1)
              return { status: 422, body: { error: 'invalid', message: 'body and author_id are required' } };
            const articleId = params.id ?? '';
            const comment: CommentRow = {
              id: nextId++,
              article_id: Number(articleId),
              author_id: authorId,
              body: text,
              created_at: new Date().toISOString(),
            };
            byArticle.set(articleId, [...(byArticle.get(articleId) ?? []), comment]);
            void webhooks?.send('comment.added', comment);
            return { status: 201, body: comment };
          },
        },
      ],
    },
    port,
  );
  baseUrl = service.url;
  return service;
}

function linkHeader(base: string, page: number, perPage: number, totalPages: number): string {
  const at = (p: number, rel: string) => `<${base}?page=${p}&per_page=${perPage}>; rel="${rel}"`;
  const links = [at(1, 'first'), at(totalPages, 'last')];
  if (page > 1) links.push(at(Math.min(page - 1, totalPages), 'prev'));
  if (page < totalPages) links.push(at(page + 1, 'next'));
  return links.join(', ');
}
