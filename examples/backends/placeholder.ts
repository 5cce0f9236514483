/**
 * placeholder: a JSONPlaceholder-shaped REST API, answering as json-server
 * 1.x does: `/users`, `/users/{id}`, `/posts`, `/posts/{id}`,
 * `/posts/{id}/comments`, `/comments`; filters by field (`?userId=3`);
 * string ids; pages with `_page` and `_per_page`, answered as
 * `{ first, prev, next, last, pages, items, data }` (a plain list without
 * `_page`); no batch endpoint and no auth. The README's "Graft your own
 * REST API" grafts it.
 */
import { type Reply, type RouteRequest, type Service, startService } from './service.ts';

export interface PlaceholderUser {
  id: string;
  name: string;
  username: string;
  email: string;
}

export interface PlaceholderPost {
  id: string;
  userId: string;
  title: string;
  body: string;
}

export interface PlaceholderComment {
  id: string;
  postId: string;
  name: string;
  email: string;
  body: string;
}

const WORDS = [
  'sunt',
  'aut',
  'facere',
  'repellat',
  'provident',
  'occaecati',
  'excepturi',
  'optio',
  'reprehenderit',
  'qui',
  'est',
  'esse',
  'dolorem',
  'eum',
  'magnam',
  'quia',
];
const words = (seed: number, count: number) =>
  Array.from({ length: count }, (_, i) => WORDS[(seed * 7 + i * 3) % WORDS.length]).join(' ');

/** 10 users, 10 posts each, 5 comments on every post: the same every run. */
export const placeholderData = (() => {
  const users: PlaceholderUser[] = Array.from({ length: 10 }, (_, i) => ({
    id: String(i + 1),
    name: `Leanne ${words(i, 1)} ${i + 1}`,
    username: `user${i + 1}`,
    email: `user${i + 1}@placeholder.test`,
  }));
  const posts: PlaceholderPost[] = Array.from({ length: 100 }, (_, i) => ({
    id: String(i + 1),
    userId: String(Math.floor(i / 10) + 1),
    title: words(i, 4),
    body: words(i + 5, 12),
  }));
  const comments: PlaceholderComment[] = Array.from({ length: 500 }, (_, i) => ({
    id: String(i + 1),
    postId: String(Math.floor(i / 5) + 1),
    name: words(i, 3),
    email: `reader${i % 37}@placeholder.test`,
    body: words(i + 2, 8),
  }));
  return { users, posts, comments };
})();

type Row = Record<string, string>;

export async function startPlaceholder({ port }: { port?: number } = {}): Promise<Service> {
  const { users, posts, comments } = placeholderData;
  const collections: Record<string, readonly Row[]> = {
    users: users as unknown as Row[],
    posts: posts as unknown as Row[],
    comments: comments as unknown as Row[],
  };

  return startService(
    {
      name: 'placeholder',
      authorize: () => true,
      routes: [
        ...Object.entries(collections).flatMap(([name, rows]) => [
          { method: 'GET', path: `/${name}`, handle: ({ query }: RouteRequest) => list(rows, query) },
          { method: 'GET', path: `/${name}/:id`, handle: ({ params }: RouteRequest) => one(rows, params.id) },
        ]),
        {
          method: 'GET',
          path: '/users/:id/posts',
          handle: ({ params, query }) => list(posts as unknown as Row[], withFilter(query, 'userId', params.id)),
        },
        {
          method: 'GET',
          path: '/posts/:id/comments',
          handle: ({ params, query }) => list(comments as unknown as Row[], withFilter(query, 'postId', params.id)),
        },
      ],
    },
    port,
  );
}

function one(rows: readonly Row[], id: string | undefined): Reply {
  const row = rows.find((candidate) => candidate.id === id);
  return row ? { status: 200, body: row } : { status: 404, body: {} };
}

/** Filters by every query parameter that names a field; pages when `_page` is given, as json-server 1.x does (clamping a page past the end to the last). */
function list(rows: readonly Row[], query: URLSearchParams): Reply {
  const filters = [...query].filter(([name]) => !name.startsWith('_'));
  const matching = rows.filter((row) => filters.every(([name, value]) => row[name] === value));
  const pageText = query.get('_page');
  if (pageText === null) return { status: 200, body: matching };
  const perPage = Math.max(1, Number.parseInt(query.get('_per_page') ?? '10', 10) || 10);
  const pages = Math.max(1, Math.ceil(matching.length / perPage));
  // A page past the end is answered with the last page, as json-server 1.x (and many Rails and Django paginators) do; the answer does not say which page it is.
  const page = Math.min(pages, Math.max(1, Number.parseInt(pageText, 10) || 1));
  return {
    status: 200,
    body: {
      first: 1,
      prev: page > 1 ? page - 1 : null,
      next: page < pages ? page + 1 : null,
      last: pages,
      pages,
      items: matching.length,
      data: matching.slice((page - 1) * perPage, page * perPage),
    },
  };
}

function withFilter(query: URLSearchParams, name: string, value: string | undefined): URLSearchParams {
  const filtered = new URLSearchParams(query);
  filtered.set(name, value ?? '');
  return filtered;
}
