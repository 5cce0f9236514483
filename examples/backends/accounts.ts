/**
 * accounts: users. API key in `X-API-Key`; offset/limit pagination with a
 * total; batch lookup `/users?ids=1,2,3` (and `POST /users/batch`); ETag,
 * `If-None-Match` → 304 and `Cache-Control: max-age` on every read; `/me`
 * for the end user named by a forwarded `Authorization: Bearer` token.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { accountsDocument } from './openapi.ts';
import { seed, type UserRow } from './seed.ts';
import { type Reply, type Service, startService } from './service.ts';

export interface AccountsOptions {
  apiKey: string;
  /** `Cache-Control: max-age` on reads. @default 30 // s */
  maxAgeSeconds?: number;
  port?: number;
}

export interface AccountsService extends Service {
  setMaxAge(seconds: number): void;
  /** Changes a user in place, as another writer would: the ETag changes with it. */
  rename(id: number, name: string): void;
}

const MAX_LIMIT = 100;

/** The end-user token the example accounts service accepts for user `id` on `/me`. */
export function exampleUserToken(id: number): string {
  return `user-${id}-${createHash('sha256').update(`graftql-example-user-${id}`).digest('hex').slice(0, 16)}`;
}

export async function startAccounts({ apiKey, maxAgeSeconds = 30, port }: AccountsOptions): Promise<AccountsService> {
  const users: UserRow[] = structuredClone(seed.users);
  const byId = new Map(users.map((user) => [String(user.id), user]));
  const byToken = new Map(users.map((user) => [exampleUserToken(user.id), user]));
  let maxAge = maxAgeSeconds;

  /** Every successful read carries validators, and a matching If-None-Match gets a 304. */
  const read = (body: unknown, headers: IncomingHttpHeaders, visibility: 'public' | 'private' = 'public'): Reply => {
    const etag = `"${createHash('sha1').update(JSON.stringify(body)).digest('base64url')}"`;
    const cacheHeaders = { etag, 'cache-control': `${visibility === 'private' ? 'private, ' : ''}max-age=${maxAge}` };
    if (headers['if-none-match'] === etag) return { status: 304, headers: cacheHeaders };
    return { status: 200, body, headers: cacheHeaders };
  };
  const byIds = (ids: string[], headers: IncomingHttpHeaders): Reply => {
    const wanted = new Set(ids.filter(Boolean));
    if (wanted.size > MAX_LIMIT)
      return { status: 400, body: { error: 'bad_request', message: `at most ${MAX_LIMIT} ids` } };
    // Ascending id order, unknown ids skipped: callers must match by id, not by position.
    return read({ users: users.filter((user) => wanted.has(String(user.id))) }, headers);
  };

  const service = await startService(
    {
      name: 'accounts',
      openapi: accountsDocument(),
      authorize: (headers) => headers['x-api-key'] === apiKey,
      routes: [
        {
          method: 'GET',
          path: '/users',
          handle: ({ query, headers }) => {
            const ids = query.get('ids');
            if (ids !== null) return byIds(ids.split(','), headers);
            const offset = intParam(query.get('offset'), 0);
            const limit = intParam(query.get('limit'), 20);
            if (offset === undefined || limit === undefined || limit < 1 || limit > MAX_LIMIT) {
              return { status: 400, body: { error: 'bad_request', message: `offset >= 0, limit 1..${MAX_LIMIT}` } };
            }
            return read({ total: users.length, offset, limit, users: users.slice(offset, offset + limit) }, headers);
          },
        },
        {
          method: 'POST',
          path: '/users/batch',
          handle: ({ body, headers }) => {
            const ids = parseIds(body);
            return ids
              ? byIds(ids, headers)
              : { status: 422, body: { error: 'invalid', message: 'send {"ids": [...]}' } };
          },
        },
        {
          method: 'GET',
          path: '/users/:id',
          handle: ({ params, headers }) => {
            const user = byId.get(params.id ?? '');
            return user ? read(user, headers) : { status: 404, body: { error: 'not_found', message: 'no such user' } };
          },
        },
        {
          method: 'GET',
          path: '/me',
          handle: ({ headers }) => {
            const token = headers.authorization?.startsWith('Bearer ') ? headers.authorization.slice(7) : '';
            const user = byToken.get(token);
            return user
              ? read(user, headers, 'private')
              : {
                  status: 401,
                  body: { error: 'unauthorized', message: 'send the end user token as Authorization: Bearer' },
                };
          },
        },
      ],
    },
    port,
  );
  return {
    ...service,
    setMaxAge: (seconds) => void (maxAge = seconds),
    rename: (id, name) => {
      const user = byId.get(String(id));
      if (user) user.name = name;
    },
  };
}

/** A non-negative integer query parameter, the fallback when absent, undefined when malformed. */
export function intParam(value: string | null, fallback: number): number | undefined {
  if (value === null) return fallback;
  if (!/^\d{1,9}$/.test(value)) return undefined;
  return Number(value);
}

function parseIds(body: string): string[] | undefined {
  try {
    const value = JSON.parse(body) as { ids?: unknown };
    return Array.isArray(value.ids) ? value.ids.map(String) : undefined;
  } catch {
    return undefined;
  }
}
