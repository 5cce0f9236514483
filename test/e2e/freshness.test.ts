/**
 * Reads after an acknowledged write: nothing fetched before the write is
 * stored after it (a read in flight while the write lands), and the write
 * reaches every stored call that can hold what it changed, batch forms
 * included, whether the gateway made the write or a webhook told of it.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Backends, callsTo, resetBackends, startBackends } from '../helpers/backends.ts';
import { sendEvent } from '../helpers/events.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { until } from '../helpers/time.ts';

/**
 * A proxy in front of a service that can hold the answers to matching GETs:
 * the service answers at once (before any later write), and the proxy hands
 * the answer on only when released, as a slow network would.
 */
interface HoldingProxy {
  url: string;
  hold(path: RegExp): void;
  /** Answers held so far, and their release. */
  held(): number;
  release(): void;
  close(): Promise<void>;
}

async function holdingProxy(target: string): Promise<HoldingProxy> {
  let holding: RegExp | undefined;
  const waiting: Array<() => void> = [];
  const server: Server = createServer((req, res) => {
    const upstream = new URL(target);
    const forwarded = httpRequest(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const send = () => res.writeHead(answer.statusCode ?? 502, answer.headers).end(Buffer.concat(chunks));
          if (req.method === 'GET' && holding?.test(req.url ?? '')) waiting.push(send);
          else send();
        });
      },
    );
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hold: (path) => void (holding = path),
    held: () => waiting.length,
    release() {
      holding = undefined;
      for (const send of waiting.splice(0)) send();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let backends: Backends;
let proxy: HoldingProxy;
let gateway: TestGateway;

beforeAll(async () => {
  backends = await startBackends();
  proxy = await holdingProxy(backends.env.CONTENT_URL as string);
  gateway = await startGateway(backends, { env: { CONTENT_URL: proxy.url } });
});
afterAll(async () => {
  await gateway.close();
  await proxy.close();
  await backends.close();
});
beforeEach(() => resetBackends(backends));

type Page = {
  articles: {
    edges: Array<{ node: { id: string; comments: { totalCount: number; edges: Array<{ node: { body: string } }> } } }>;
  };
};
/** Five articles and their first 50 comments: the comments of all five come from one batch call (/comments?article_ids=…). */
const PAGE =
  '{ articles(first: 5) { edges { node { id comments(first: 50) { totalCount edges { node { body } } } } } } }';

describe('reads after a write', () => {
  it('a read in flight when a write lands is not stored: the next read sees the write', async () => {
    const read = '{ article(id: "Article:7") { title } }';
    await gateway.query(read);
    // The next read of the article goes upstream (a write elsewhere would too): here, the same read again after a change.
    expect(
      (await gateway.query('mutation { updateArticle(id: "Article:7", patch: { title: "Before" }) { title } }')).body
        .errors,
    ).toBeUndefined();
    proxy.hold(/^\/articles\/7$/);
    const inFlight = gateway.query(read);
    await until(() => proxy.held() === 1, 'the read is answered upstream and held on its way back');
    const written = await gateway.query(
      'mutation { updateArticle(id: "Article:7", patch: { title: "After" }) { title } }',
    );
    expect(written.body).toEqual({ data: { updateArticle: { title: 'After' } } });
    proxy.release();
    // The read that started before the write may answer what it fetched; nothing after it may.
    expect((await inFlight).body.data).toEqual({ article: { title: 'Before' } });
    for (let i = 0; i < 3; i += 1)
      expect((await gateway.query(read)).body.data).toEqual({ article: { title: 'After' } });
  });

  it('a comment added through the gateway shows at once in a page whose comments one batch call read, and totalCount agrees with the edges', async () => {
    const before = (await gateway.query(PAGE)).body.data as Page;
    await gateway.query(PAGE); // stored
    expect(callsTo(backends.comments.requests, '/comments').length).toBeGreaterThan(0);
    const article = before.articles.edges[2]?.node ?? expect.unreachable('a third article');
    const added = await gateway.query(
      `mutation { addComment(articleId: "${article.id}", body: "Written just now", authorId: "User:3") { body } }`,
    );
    expect(added.body.errors).toBeUndefined();
    const after = ((await gateway.query(PAGE)).body.data as Page).articles.edges[2]?.node.comments;
    expect(after?.edges.map((edge) => edge.node.body)).toContain('Written just now');
    expect(after?.totalCount).toBe(article.comments.totalCount + 1);
    expect(after?.edges).toHaveLength(Math.min(50, after?.totalCount ?? 0));
  });

  it('a comment another gateway added shows once the comment.added webhook arrives, in the batched page too', async () => {
    const other = await startGateway(backends);
    try {
      const before = (await gateway.query(PAGE)).body.data as Page;
      const article = before.articles.edges[3]?.node ?? expect.unreachable('a fourth article');
      const added = await other.query(
        `mutation { addComment(articleId: "${article.id}", body: "From elsewhere", authorId: "User:2") { id } }`,
      );
      expect(added.body.errors).toBeUndefined();
      const delivered = await sendEvent(gateway.url, 'comments', 'comment.added', {
        article_id: Number(article.id.split(':')[1]),
        body: 'From elsewhere',
      });
      expect(delivered.status).toBe(204);
      const after = ((await gateway.query(PAGE)).body.data as Page).articles.edges[3]?.node.comments;
      expect(after?.edges.map((edge) => edge.node.body)).toContain('From elsewhere');
      expect(after?.totalCount).toBe(article.comments.totalCount + 1);
    } finally {
      await other.close();
    }
  });
});
