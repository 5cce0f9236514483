/**
 * content: articles. OAuth2 client credentials (`POST /oauth/token`, bearer
 * tokens that expire); cursor pagination with `next_cursor` / `prev_cursor`
 * in the body;
 * one-to-many batch `/articles?author_id=1&author_id=2&per_author=N`;
 * JSON writes on `/articles`; each write announced with a signed webhook
 * (article.created, article.updated, article.deleted); attachments uploaded
 * as multipart/form-data to `/articles/{id}/attachments` (streamed: only
 * their size and SHA-256 are kept).
 */
import { createHash, randomBytes } from 'node:crypto';
import busboy from 'busboy';
import { intParam } from './accounts.ts';
import { contentDocument } from './openapi.ts';
import { type ArticleRow, seed } from './seed.ts';
import { basicCredentials, type Reply, type RouteRequest, type Service, startService } from './service.ts';
import { createWebhookSender, type WebhookSender } from './webhooks.ts';

export interface ContentOptions {
  clientId: string;
  clientSecret: string;
  /** Lifetime of issued tokens. @default 3600 // s */
  tokenTtlSeconds?: number;
  port?: number;
  /** Signs webhooks (whsec_ and base64) and where they go; none are sent without a target. */
  webhooks?: { secret: string; target: () => string | undefined };
}

export interface ContentService extends Service {
  /** Invalidates every issued token, as a key rotation would: the next call with one gets a 401. */
  revokeTokens(): void;
  setTokenTtl(seconds: number): void;
  webhooks: WebhookSender | undefined;
}

const MAX_LIMIT = 100;

export async function startContent({
  clientId,
  clientSecret,
  tokenTtlSeconds = 3600,
  port,
  webhooks: signing,
}: ContentOptions): Promise<ContentService> {
  const webhooks = signing && createWebhookSender(signing);
  const announce = (type: string, data: unknown) => void webhooks?.send(type, data);
  const articles: ArticleRow[] = structuredClone(seed.articles);
  const attachments = new Map<string, AttachmentRow[]>();
  let nextAttachment = 1;
  const tokens = new Map<string, number>(); // token → expiry (ms since epoch)
  let ttl = tokenTtlSeconds;
  let nextId = articles.length + 1;

  const issueToken = ({ headers, body }: RouteRequest): Reply => {
    const form = new URLSearchParams(body);
    const basic = basicCredentials(headers);
    // RFC 6749 §2.3.1: client id and secret are form-urlencoded inside Basic credentials.
    const id = basic ? formDecode(basic.user) : form.get('client_id');
    const secret = basic ? formDecode(basic.password) : form.get('client_secret');
    if (form.get('grant_type') !== 'client_credentials')
      return { status: 400, body: { error: 'unsupported_grant_type' } };
    if (id !== clientId || secret !== clientSecret) return { status: 401, body: { error: 'invalid_client' } };
    const token = randomBytes(18).toString('base64url');
    tokens.set(token, Date.now() + ttl * 1000);
    return {
      status: 200,
      body: { access_token: token, token_type: 'Bearer', expires_in: ttl },
      headers: { 'cache-control': 'no-store' },
    };
  };

  const page = (rows: ArticleRow[], query: URLSearchParams): Reply => {
    const limit = intParam(query.get('limit'), 20);
    const start = decodeCursor(query.get('cursor'));
    if (limit === undefined || limit < 1 || limit > MAX_LIMIT || start === undefined) {
      return {
        status: 400,
        body: { error: 'bad_request', message: `limit 1..${MAX_LIMIT} and a cursor from a previous page` },
      };
    }
    const data = rows.slice(start, start + limit);
    const next = start + limit < rows.length ? encodeCursor(start + limit) : null;
    const prev = start > 0 ? encodeCursor(Math.max(0, start - limit)) : null;
    return { status: 200, body: { data, next_cursor: next, prev_cursor: prev } };
  };

  /** One-to-many batch: the first `per_author` articles of each author, in one flat list. */
  const firstByAuthors = (authors: string[], perAuthorParam: string | null): Reply => {
    const perAuthor = intParam(perAuthorParam, 20);
    if (authors.length > MAX_LIMIT || perAuthor === undefined || perAuthor < 1 || perAuthor > MAX_LIMIT) {
      return {
        status: 400,
        body: { error: 'bad_request', message: `at most ${MAX_LIMIT} author_id, per_author 1..${MAX_LIMIT}` },
      };
    }
    const data = [...new Set(authors)].flatMap((author) =>
      articles.filter((a) => String(a.author_id) === author).slice(0, perAuthor),
    );
    return { status: 200, body: { data } };
  };

  /** Categories, then articles, whose name or title holds `q` (case-insensitive); each result says its `type`. */
  const search = (q: string, limitParam: string | null): Reply => {
    const limit = limitParam === null ? 20 : Number(limitParam);
    if (q.trim() === '' || !Number.isInteger(limit) || limit < 1 || limit > 100)
      return { status: 400, body: { error: 'bad_request', message: 'q is required; limit is 1..100' } };
    const needle = q.toLowerCase();
    const categories = [...new Set(articles.map((article) => article.category))]
      .filter((name) => name.toLowerCase().includes(needle))
      .sort()
      .map((name) => ({
        type: 'category',
        name,
        article_count: articles.filter((article) => article.category === name).length,
      }));
    const titled = articles
      .filter((article) => article.title.toLowerCase().includes(needle))
      .map((article) => ({ type: 'article', ...article }));
    return { status: 200, body: { results: [...categories, ...titled].slice(0, limit) } };
  };

  const service = await startService(
    {
      name: 'content',
      openapi: contentDocument(),
      publicPaths: ['/oauth/token'],
      authorize: (headers) => {
        const token = headers.authorization?.startsWith('Bearer ') ? headers.authorization.slice(7) : undefined;
        const expiry = token === undefined ? undefined : tokens.get(token);
        return expiry !== undefined && expiry > Date.now();
      },
      routes: [
        { method: 'POST', path: '/oauth/token', handle: issueToken },
        {
          method: 'GET',
          path: '/articles',
          handle: ({ query }) => {
            const authors = query.getAll('author_id');
            if (authors.length > 0) return firstByAuthors(authors, query.get('per_author'));
            const category = query.get('category');
            return page(category ? articles.filter((a) => a.category === category) : articles, query);
          },
        },
        {
          method: 'GET',
          path: '/articles/:id',
          handle: ({ params }) => {
            const article = articles.find((a) => String(a.id) === params.id);
            return article ? { status: 200, body: article } : { status: 404, body: { error: 'not_found' } };
          },
        },
        {
          method: 'GET',
          path: '/search',
          handle: ({ query }) => search(query.get('q') ?? '', query.get('limit')),
        },
        {
          method: 'GET',
          path: '/users/:id/articles',
          handle: ({ params, query }) =>
            page(
              articles.filter((a) => String(a.author_id) === params.id),
              query,
            ),
        },
        {
          method: 'POST',
          path: '/articles',
          handle: ({ body }) => {
            const input = parseArticleInput(body);
            if (!input)
              return {
                status: 422,
                body: { error: 'invalid', message: 'title, body, category and author_id are required' },
              };
            const article: ArticleRow = { id: nextId++, ...input, created_at: new Date().toISOString() };
            articles.push(article);
            announce('article.created', article);
            return { status: 201, body: article };
          },
        },
        {
          method: 'GET',
          path: '/articles/:id/attachments',
          handle: ({ params }) => ({ status: 200, body: { data: attachments.get(params.id ?? '') ?? [] } }),
        },
        {
          method: 'POST',
          path: '/articles/:id/attachments',
          handle: async ({ params, headers, stream }) => {
            if (!articles.some((a) => String(a.id) === params.id)) {
              stream.resume();
              return { status: 404, body: { error: 'not_found' } };
            }
            const upload = await readAttachment(headers, stream);
            if (!upload)
              return {
                status: 422,
                body: {
                  error: 'invalid',
                  message: 'send multipart/form-data with one file part "file" (and an optional "note")',
                },
              };
            const row: AttachmentRow = {
              id: nextAttachment++,
              article_id: Number(params.id),
              ...upload,
              created_at: new Date().toISOString(),
            };
            attachments.set(params.id ?? '', [...(attachments.get(params.id ?? '') ?? []), row]);
            return { status: 201, body: row };
          },
        },
        ...(['PUT', 'PATCH'] as const).map((method) => ({
          method,
          path: '/articles/:id',
          handle: ({ params, body }: RouteRequest): Reply => {
            const article = articles.find((a) => String(a.id) === params.id);
            if (!article) return { status: 404, body: { error: 'not_found' } };
            const input = method === 'PUT' ? parseArticleInput(body) : parsePatch(body);
            if (!input) return { status: 422, body: { error: 'invalid' } };
            Object.assign(article, input);
            announce('article.updated', article);
            return { status: 200, body: article };
          },
        })),
        {
          method: 'DELETE',
          path: '/articles/:id',
          handle: ({ params }) => {
            const index = articles.findIndex((a) => String(a.id) === params.id);
            if (index < 0) return { status: 404, body: { error: 'not_found' } };
            const [deleted] = articles.splice(index, 1);
            announce('article.deleted', { id: deleted?.id });
            return { status: 204 };
          },
        },
      ],
    },
    port,
  );
  return { ...service, revokeTokens: () => tokens.clear(), setTokenTtl: (seconds) => void (ttl = seconds), webhooks };
}

function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

function encodeCursor(offset: number): string {
  return Buffer.from(`o:${offset}`).toString('base64url');
}

function decodeCursor(cursor: string | null): number | undefined {
  if (cursor === null) return 0;
  const match = /^o:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : undefined;
}

type ArticleInput = Pick<ArticleRow, 'title' | 'body' | 'category' | 'author_id'>;

function parseJson(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function parseArticleInput(body: string): ArticleInput | undefined {
  const value = parseJson(body);
  if (!value) return undefined;
  const { title, body: text, category, author_id } = value;
  if (
    typeof title !== 'string' ||
    typeof text !== 'string' ||
    typeof category !== 'string' ||
    typeof author_id !== 'number'
  )
    return undefined;
  return { title, body: text, category, author_id };
}

function parsePatch(body: string): Partial<ArticleInput> | undefined {
  const value = parseJson(body);
  if (!value) return undefined;
  const patch: Partial<ArticleInput> = {};
  if (typeof value.title === 'string') patch.title = value.title;
  if (typeof value.body === 'string') patch.body = value.body;
  if (typeof value.category === 'string') patch.category = value.category;
  return patch;
}

interface AttachmentRow {
  id: number;
  article_id: number;
  filename: string;
  content_type: string;
  size: number;
  sha256: string;
  note: string | null;
  created_at: string;
}

/** Reads a multipart body with one file part `file` and an optional `note`, keeping only the file's size and digest. */
function readAttachment(
  headers: RouteRequest['headers'],
  stream: RouteRequest['stream'],
): Promise<Omit<AttachmentRow, 'id' | 'article_id' | 'created_at'> | undefined> {
  return new Promise((resolve) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers });
    } catch {
      stream.resume();
      return resolve(undefined);
    }
    let note: string | null = null;
    let file: { filename: string; content_type: string; size: number; sha256: string } | undefined;
    const reading: Promise<void>[] = [];
    parser.on('field', (name, value) => {
      if (name === 'note') note = value;
    });
    parser.on('file', (name, part, info) => {
      if (name !== 'file' || file) return void part.resume();
      const hash = createHash('sha256');
      let size = 0;
      part.on('data', (chunk: Buffer) => {
        size += chunk.length;
        hash.update(chunk);
      });
      reading.push(
        new Promise((done) =>
          part.on('end', () => {
            file = {
              filename: info.filename ?? 'upload',
              content_type: info.mimeType,
              size,
              sha256: hash.digest('hex'),
            };
            done();
          }),
        ),
      );
    });
    parser.on('close', () => void Promise.all(reading).then(() => resolve(file && { ...file, note })));
    parser.on('error', () => resolve(undefined));
    stream.pipe(parser);
  });
}
