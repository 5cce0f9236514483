/**
 * accounts: users. API key in `X-API-Key`; offset/limit pagination with a
 * total; batch lookup `/users?ids=1,2,3`; ETag + Cache-Control on single users.
 */
import { createHash } from 'node:crypto';
import { seed, type UserRow } from './seed.ts';
import { startService, type Reply, type Service } from './service.ts';

export interface AccountsOptions {
  apiKey: string;
  port?: number;
}

const MAX_LIMIT = 100;

export function startAccounts({ apiKey, port }: AccountsOptions): Promise<Service> {
  const users: UserRow[] = structuredClone(seed.users);
  const byId = new Map(users.map((user) => [String(user.id), user]));

  return startService(
    {
      name: 'accounts',
      authorize: (headers) => headers['x-api-key'] === apiKey,
      routes: [
        {
          method: 'GET',
          path: '/users',
          handle: ({ query }) => {
            const ids = query.get('ids');
            if (ids !== null) {
              // Answers in ascending id order, skipping unknown ids: callers must match by id, not position.
              const wanted = new Set(ids.split(',').filter(Boolean));
              if (wanted.size > MAX_LIMIT) return { status: 400, body: { error: 'bad_request', message: `at most ${MAX_LIMIT} ids` } };
              return { status: 200, body: { users: users.filter((user) => wanted.has(String(user.id))) } };
            }
            const offset = intParam(query.get('offset'), 0);
            const limit = intParam(query.get('limit'), 20);
            if (offset === undefined || limit === undefined || limit < 1 || limit > MAX_LIMIT) {
              return { status: 400, body: { error: 'bad_request', message: `offset >= 0, limit 1..${MAX_LIMIT}` } };
            }
            return { status: 200, body: { total: users.length, offset, limit, users: users.slice(offset, offset + limit) } };
          },
        },
        {
          method: 'GET',
          path: '/users/:id',
          handle: ({ params, headers }): Reply => {
            const user = byId.get(params.id ?? '');
            if (!user) return { status: 404, body: { error: 'not_found', message: 'no such user' } };
            const etag = `"${createHash('sha1').update(JSON.stringify(user)).digest('base64url')}"`;
            const cacheHeaders = { etag, 'cache-control': 'max-age=30' };
            if (headers['if-none-match'] === etag) return { status: 304, headers: cacheHeaders };
            return { status: 200, body: user, headers: cacheHeaders };
          },
        },
      ],
    },
    port,
  );
}

/** A non-negative integer query parameter, the fallback when absent, undefined when malformed. */
export function intParam(value: string | null, fallback: number): number | undefined {
  if (value === null) return fallback;
  if (!/^\d{1,9}$/.test(value)) return undefined;
  return Number(value);
}
