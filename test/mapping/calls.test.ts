/** The static N+1 report of `graftql check`, on one graph with and without batch forms. */
import { describe, expect, it } from 'vitest';
import { callReport } from '../../src/mapping/calls.ts';
import { compileGraph } from '../../src/mapping/graph.ts';

const sources = {
  api: {
    naming: 'camelCase' as const,
    forwardHeaders: [],
    maxPageSize: 20,
    pagination: { style: 'PAGE' as const, items: 'data', total: 'items' },
  },
};

/** Posts with authors and comments; `author` and `comments` declared as given. */
const graph = (author: string, comments: string) => `
type Query {
  posts(first: Int, after: String, last: Int, before: String): PostConnection @rest(source: "api", path: "/posts", paginate: {})
  user(id: ID!): User @rest(source: "api", path: "/users/{$args.id}")
}
type Post {
  id: ID!
  userId: ID! @internal
  author: User ${author}
  comments(first: Int, after: String, last: Int, before: String): CommentConnection ${comments}
}
type User { id: ID! name: String! }
type Comment { id: ID! body: String! }
`;

function report(sdl: string, budget = 50) {
  const compiled = compileGraph({ files: [{ name: 'graph.graphql', body: sdl }], sources });
  return callReport(compiled.full, compiled.plans, { defaultListSize: 20, budget, maxDepth: 12 });
}

const PER_POST_COMMENTS = '@rest(source: "api", path: "/posts/{$parent.id}/comments", paginate: {})';

describe('N+1 report', () => {
  it('finds the fields called once per item of a list, with their worst case per request', () => {
    const { nPlusOne } = report(graph('@ref(query: "user", args: { id: "$parent.userId" })', PER_POST_COMMENTS));
    expect(nPlusOne.map((finding) => finding.message)).toEqual([
      // 100 posts (the largest page a client may ask for), each making a comments call per 20-item page: 5 pages.
      'Post.comments: one api call per Post and page, up to 500 per request under Query.posts (no batch form)',
      'Post.author: one api call per Post, up to 100 per request under Query.posts (no batch form)',
    ]);
  });

  it('finds none where the list items share batched calls', () => {
    const batched = '@rest(source: "api", path: "/users", batch: { key: "$parent.userId", param: "id" })';
    const { nPlusOne } = report(graph(batched, PER_POST_COMMENTS));
    expect(nPlusOne.map((finding) => finding.path)).toEqual(['Post.comments']);
  });

  it('names the shortest operation shape over the call budget, and none under it', () => {
    const batched = '@rest(source: "api", path: "/users", batch: { key: "$parent.userId", param: "id" })';
    expect(report(graph(batched, PER_POST_COMMENTS)).overBudget.map((finding) => finding.message)).toEqual([
      'Query.posts → Post.comments: up to 505 calls',
    ]);
    expect(report(graph(batched, PER_POST_COMMENTS), 1_000).overBudget).toEqual([]);
  });
});
