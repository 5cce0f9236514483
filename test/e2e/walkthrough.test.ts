/**
 * docs/getting-started.md ("Graft your own REST API"), as a user runs it: the graph in
 * examples/placeholder/ (SDL and config, no TypeScript beyond the config)
 * over the JSONPlaceholder-shaped service, served and checked by the
 * `graftql` command.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { placeholderData, startPlaceholder } from '../../examples/backends/placeholder.ts';
import type { Service } from '../../examples/backends/service.ts';
import { postGraphQL } from '../helpers/gateway.ts';
import { type GatewayProcess, servingUrl, spawnCli } from '../helpers/process.ts';

const CONFIG = 'examples/placeholder/graftql.config.ts';
let api: Service;
let gateway: GatewayProcess;
let url: string;

beforeAll(async () => {
  api = await startPlaceholder();
  gateway = spawnCli(['serve', '--config', CONFIG], { PLACEHOLDER_URL: api.url, PORT: '0', LOG_LEVEL: 'info' });
  url = await servingUrl(gateway);
});
afterAll(async () => {
  gateway.child.kill('SIGTERM');
  await gateway.exited;
  await api.close();
});
beforeEach(() => api.clearRecords());

const { users, posts, comments } = placeholderData;
const query = async (text: string, variables?: Record<string, unknown>) => {
  const { body } = await postGraphQL(url, { query: text, variables });
  expect(body.errors).toBeUndefined();
  return body.data as never;
};

describe('the walkthrough graph', () => {
  it('pages posts forward as a Relay connection over _page/_per_page, with totalCount', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const data: {
        posts: {
          totalCount: number;
          edges: Array<{ node: { id: string } }>;
          pageInfo: { hasNextPage: boolean; endCursor: string };
        };
      } = await query(
        'query($after: String) { posts(first: 30, after: $after) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }',
        { after },
      );
      expect(data.posts.totalCount).toBe(posts.length);
      seen.push(...data.posts.edges.map((edge) => edge.node.id));
      if (!data.posts.pageInfo.hasNextPage) break;
      after = data.posts.pageInfo.endCursor;
    }
    expect(seen).toEqual(posts.map((post) => post.id));
    // The gateway asks for the largest page (100), so 30 a time costs one upstream call in all.
    expect(new Set(api.requests.map((request) => request.url))).toEqual(new Set(['/posts?_page=1&_per_page=100']));
  });

  it('answers a cursor past the end with no edges, though the API answers a page past its end with its last page (100 posts, 100 a page)', async () => {
    const last: { posts: { pageInfo: { endCursor: string } } } = await query(
      '{ posts(last: 1) { pageInfo { endCursor } } }',
    );
    const after: { posts: { edges: unknown[]; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean } } } =
      await query(
        'query($after: String) { posts(first: 5, after: $after) { edges { node { id } } pageInfo { hasNextPage hasPreviousPage } } }',
        { after: last.posts.pageInfo.endCursor },
      );
    expect(posts.length % 100).toBe(0);
    expect(after.posts).toEqual({ edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: true } });
    const first: { posts: { pageInfo: { startCursor: string } } } = await query(
      '{ posts(first: 1) { pageInfo { startCursor } } }',
    );
    const before: { posts: { edges: unknown[]; pageInfo: { hasPreviousPage: boolean } } } = await query(
      'query($before: String) { posts(last: 5, before: $before) { edges { node { id } } pageInfo { hasPreviousPage } } }',
      { before: first.posts.pageInfo.startCursor },
    );
    expect(before.posts).toEqual({ edges: [], pageInfo: { hasPreviousPage: false } });
  });

  it('pages backward too: the last posts of a user', async () => {
    const data: {
      user: { name: string; posts: { edges: Array<{ node: { id: string } }>; pageInfo: { hasPreviousPage: boolean } } };
    } = await query('{ user(id: "3") { name posts(last: 2) { edges { node { id } } pageInfo { hasPreviousPage } } } }');
    const own = posts.filter((post) => post.userId === '3');
    expect(data.user.name).toBe(users[2]!.name);
    expect(data.user.posts.edges.map((edge) => edge.node.id)).toEqual(own.slice(-2).map((post) => post.id));
    expect(data.user.posts.pageInfo.hasPreviousPage).toBe(true);
  });

  it("resolves each post's author and comments, one call per distinct author (no batch endpoint: identical calls are shared)", async () => {
    const data: {
      posts: {
        edges: Array<{
          node: {
            author: { name: string };
            comments: { totalCount: number; edges: Array<{ node: { body: string } }> };
          };
        }>;
      };
    } = await query(
      '{ posts(first: 20) { edges { node { author { name } comments(first: 2) { totalCount edges { node { body } } } } } } }',
    );
    expect(data.posts.edges.map((edge) => edge.node.author.name)).toEqual(
      posts.slice(0, 20).map((post) => users.find((user) => user.id === post.userId)!.name),
    );
    expect(data.posts.edges[0]!.node.comments).toEqual({
      totalCount: 5,
      edges: comments.slice(0, 2).map((comment) => ({ node: { body: comment.body } })),
    });
    const userCalls = api.requests.filter((request) => request.url.startsWith('/users/'));
    expect(userCalls.map((request) => request.url).sort()).toEqual(['/users/1', '/users/2']);
  });

  it("answers the README's query with 4 upstream calls: a page of posts, their one author, their comments", async () => {
    const data: {
      posts: { totalCount: number; edges: Array<{ node: { title: string } }>; pageInfo: { hasNextPage: boolean } };
    } = await query(
      '{ posts(first: 2) { totalCount edges { node { title author { name } comments(first: 1) { edges { node { email } } } } } pageInfo { hasNextPage endCursor } } }',
    );
    expect(data.posts.edges.map((edge) => edge.node.title)).toEqual(posts.slice(0, 2).map((post) => post.title));
    expect(data.posts.pageInfo.hasNextPage).toBe(true);
    expect(api.requests.map((request) => request.url).sort()).toEqual([
      '/posts/1/comments?_page=1&_per_page=100',
      '/posts/2/comments?_page=1&_per_page=100',
      '/posts?_page=1&_per_page=100',
      '/users/1',
    ]);
  });

  it('refuses a page whose worst case is over the call budget before any call, and serves a smaller one', async () => {
    const { status, body } = await postGraphQL(url, {
      query: '{ posts(first: 100) { edges { node { author { name } } } } }',
    });
    expect(status).toBe(400);
    expect(body.errors?.map((error) => error.extensions.code)).toEqual(['UPSTREAM_CALL_BUDGET_EXCEEDED']);
    expect(api.requests).toHaveLength(0);
    await query('{ posts(first: 20) { edges { node { author { name } } } } }');
  });

  it('answers an unknown id with null and NOT_FOUND', async () => {
    const { body } = await postGraphQL(url, { query: '{ post(id: "999") { title } }' });
    expect(body.data).toEqual({ post: null });
    expect(body.errors?.map((error) => error.extensions.code)).toEqual(['NOT_FOUND']);
  });
});

describe('the walkthrough in docs/getting-started.md', () => {
  const lines = (text: string) => text.trimEnd().split('\n').length;

  it('lists the graph as it is in examples/placeholder/, in at most 40 lines of SDL and config', () => {
    const section = readFileSync('docs/getting-started.md', 'utf8');
    const [sdlBlock, configBlock] = [...section.matchAll(/```(?:graphql|ts)\n([\s\S]*?)```/g)].map((match) => match[1]);
    const sdl = readFileSync('examples/placeholder/schema/placeholder.graphql', 'utf8');
    const config = readFileSync(CONFIG, 'utf8');
    expect(sdlBlock).toBe(sdl);
    expect(configBlock).toBe(config);
    expect(section).toContain(`(${lines(sdl)} lines)`);
    expect(section).toContain(`(${lines(config)} lines)`);
    expect(section).toContain(`in ${lines(sdl) + lines(config)} lines`);
    expect(lines(sdl) + lines(config)).toBeLessThanOrEqual(40);
  });
});

describe('graftql check', () => {
  const check = async (args: string[]) => {
    const run = spawnCli(['check', ...args]);
    return { code: await run.exited, output: run.output() };
  };

  it('passes on the walkthrough graph and on the example graph, reporting their N+1 paths', async () => {
    const walkthrough = await check(['--config', CONFIG]);
    expect(walkthrough.code).toBe(0);
    expect(walkthrough.output).toContain('Post.author: one api call per Post');
    const example = await check([]);
    expect(example.code).toBe(0);
    expect(example.output).toContain('✓ schema: 18 fields with @rest, 2 with @ref, 1 with @chain, 3 with @event');
  }, 60_000); // two `graftql check` processes through tsx: each takes about 10 s on this machine even when it is quiet

  it('fails on a broken copy of the example graph, naming the file, line and column of each problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'graftql-broken-'));
    cpSync('schema', join(dir, 'schema'), { recursive: true });
    const content = join(dir, 'schema', 'content.graphql');
    const text = readFileSync(content, 'utf8');
    writeFileSync(
      content,
      text.replace('"$parent.authorId"', '"$parent.authorIdd"').replace('source: "comments"', 'source: "coments"'),
    );
    const repo = process.cwd();
    writeFileSync(
      join(dir, 'graftql.config.ts'),
      `import base from '${repo}/graftql.config.ts';\nexport default { ...base, schema: 'schema' };\n`,
    );
    const broken = await check(['--config', join(dir, 'graftql.config.ts')]);
    const file = relative(repo, content);
    const lineOf = (needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length;
    expect(broken.code).toBe(1);
    expect(broken.output).toContain(`${file}:${lineOf('source: "comments"')}:`);
    expect(broken.output).toMatch(
      new RegExp(
        `${file}:${lineOf('"$parent.authorId"')}:\\d+: Article\\.author @ref\\(args\\.id\\): Article has no field "authorIdd" to read`,
      ),
    );
    expect(broken.output).toContain(
      'Article.comments @rest(source): no source "coments" in the config (sources: accounts, content, comments, weather).',
    );
  });
});
