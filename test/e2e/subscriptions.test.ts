/**
 * Subscriptions out, over SSE (graphql-sse) and WebSockets (graphql-ws):
 * a mutation made through the gateway reaches the subscribers whose
 * arguments match, by way of the example services' signed webhooks; the
 * follow-up read carries each subscriber's own credential; a slow
 * subscriber is cut off while others keep receiving; the limits hold.
 */
import { type IncomingMessage, request } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Backends, callsTo, resetBackends, startBackends } from '../helpers/backends.ts';
import { sendEvent, sseClient, take, wsClient } from '../helpers/events.ts';
import { postGraphQL, startGateway, type TestGateway, withGateway } from '../helpers/gateway.ts';
import { until } from '../helpers/time.ts';

let backends: Backends;
let gateway: TestGateway | undefined;

beforeAll(async () => {
  const target = (service: string) => () => gateway && `${gateway.url}/webhooks/${service}`;
  backends = await startBackends({ webhookTargets: { content: target('content'), comments: target('comments') } });
  gateway = await startGateway(backends);
});
afterAll(async () => {
  await gateway?.close();
  await backends.close();
});
beforeEach(() => resetBackends(backends));

const open = () => gateway as TestGateway;
const mutate = (query: string) => open().query(query);

describe('subscriptions', () => {
  it('over SSE: a subscriber sees the mutation made through the gateway, only for the article it asked for, read again in full', async () => {
    const updates = sseClient(open().url).iterate({
      query: 'subscription ($id: ID) { articleUpdated(id: $id) { id title author { name } } }',
      variables: { id: 'Article:1' },
    });
    const first = updates.next();
    await until(() => open().subscriptions() === 1, 'the subscription is open');
    await mutate('mutation { updateArticle(id: "Article:2", patch: { title: "Not this one" }) { id } }');
    await mutate('mutation { updateArticle(id: "Article:1", patch: { title: "Seen live" }) { id } }');
    expect((await first).value).toEqual({
      data: { articleUpdated: { id: 'Article:1', title: 'Seen live', author: { name: expect.any(String) } } },
    });
    await updates.return?.();
    await until(() => open().subscriptions() === 0, 'the subscription is closed');
  });

  it('over WebSockets: filtered by argument, several subscriptions on one connection', async () => {
    const client = wsClient(open().url);
    const onTwo = client.iterate({ query: 'subscription { commentAdded(articleId: "Article:2") { body } }' });
    const onAll = client.iterate({ query: 'subscription { commentAdded { body } }' });
    const seen = [take(onTwo, 1), take(onAll, 2)];
    await until(() => open().subscriptions() === 2, 'both subscriptions are open');
    await mutate('mutation { addComment(articleId: "Article:3", body: "on three", authorId: "User:1") { id } }');
    await mutate('mutation { addComment(articleId: "Article:2", body: "on two", authorId: "User:1") { id } }');
    expect(await Promise.all(seen)).toEqual([
      [{ data: { commentAdded: { body: 'on two' } } }],
      [{ data: { commentAdded: { body: 'on three' } } }, { data: { commentAdded: { body: 'on two' } } }],
    ]);
    await client.dispose();
    await until(() => open().subscriptions() === 0, 'the subscriptions are closed');
  });

  it("reads again with each subscriber's own credential (SSE headers, the WebSocket's connection_init)", async () => {
    const query = 'subscription { articleUpdated(id: "Article:4") { author { name } } }';
    const overSse = sseClient(open().url, { authorization: 'Bearer token-over-sse' }).iterate({ query });
    const ws = wsClient(open().url, { Authorization: 'Bearer token-over-ws' });
    const overWs = ws.iterate({ query });
    const seen = [take(overSse, 1), take(overWs, 1)];
    await until(() => open().subscriptions() === 2, 'both subscriptions are open');
    await mutate('mutation { updateArticle(id: "Article:4", patch: { category: "changed" }) { id } }');
    await Promise.all(seen);
    const tokens = callsTo(backends.accounts.requests, '/users').map((call) => call.headers.authorization);
    expect(tokens).toEqual(expect.arrayContaining(['Bearer token-over-sse', 'Bearer token-over-ws']));
    await overSse.return?.();
    await ws.dispose();
  });

  it('cuts a subscriber that stopped reading off with SUBSCRIBER_TOO_SLOW, while the others keep receiving every event', async () => {
    await withGateway(backends, { limits: { subscriberQueue: 5 } }, async (small) => {
      const query = 'subscription { articleCreated { id body } }';
      const fast = sseClient(small.url).iterate({ query });
      const received: unknown[] = [];
      const reading = (async () => {
        for await (const message of fast) received.push(message);
      })();
      // A raw SSE client that reads nothing: the socket's buffers fill, then its queue.
      const slow = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
        const req = request(
          `${small.url}/graphql`,
          { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' } },
          resolve,
        );
        req.on('error', reject);
        req.end(JSON.stringify({ query }));
      });
      slow.pause();
      await until(() => small.subscriptions() === 2, 'both subscriptions are open');
      const big = 'x'.repeat(64 * 1024);
      let sent = 0;
      while (small.subscriptions() === 2 && sent < 2_000) {
        sent += 1;
        const answer = await sendEvent(small.url, 'content', 'article.created', {
          id: sent,
          title: 't',
          body: big,
          category: 'c',
          author_id: 1,
          created_at: 'now',
        });
        expect(answer.status).toBe(204);
      }
      expect(small.subscriptions()).toBe(1);
      await until(() => received.length === sent, 'the fast subscriber got every event', 10_000);
      expect((received.at(-1) as { data: { articleCreated: { id: string } } }).data.articleCreated.id).toBe(
        `Article:${sent}`,
      );
      let text = '';
      slow.setEncoding('utf8');
      slow.on('data', (chunk: string) => void (text += chunk));
      slow.resume();
      await new Promise((resolve) => slow.once('end', resolve));
      expect(text).toContain('"code":"SUBSCRIBER_TOO_SLOW"');
      expect(text.trimEnd().endsWith('event: complete\ndata:')).toBe(true);
      await fast.return?.();
      await reading;
    });
  });

  it('refuses subscriptions past the limits per connection and per process with TOO_MANY_SUBSCRIPTIONS', async () => {
    await withGateway(
      backends,
      { limits: { maxSubscriptionsPerConnection: 1, maxSubscriptions: 3 } },
      async (limited) => {
        const query = 'subscription { articleCreated { id } }';
        const refused = (limit: number) => [
          {
            errors: [
              expect.objectContaining({
                extensions: expect.objectContaining({ code: 'TOO_MANY_SUBSCRIPTIONS', limit }),
              }),
            ],
          },
        ];
        const overSse = () =>
          fetch(`${limited.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
            body: JSON.stringify({ query }),
          });
        const held: Array<Promise<unknown>> = [];
        const hold = (iterator: AsyncIterator<unknown>) => held.push(iterator.next().catch(() => undefined));

        // A WebSocket is one connection: its second subscription is refused.
        const client = wsClient(limited.url);
        hold(client.iterate({ query }));
        await until(() => limited.subscriptions() === 1, 'the first subscription is open');
        expect(await take(client.iterate({ query }), 1)).toEqual(refused(1));
        // Over SSE a connection is the client's address: one subscription from 127.0.0.1, the next refused with 429.
        const first = await overSse();
        expect(first.status).toBe(200);
        await until(() => limited.subscriptions() === 2, 'the SSE subscription is open');
        const second = await overSse();
        expect([second.status, await second.text()]).toEqual([
          429,
          expect.stringContaining('"code":"TOO_MANY_SUBSCRIPTIONS"'),
        ]);
        // The process holds 3 at most.
        const other = wsClient(limited.url);
        hold(other.iterate({ query }));
        await until(() => limited.subscriptions() === 3, 'three subscriptions are open');
        const fourth = wsClient(limited.url);
        expect(await take(fourth.iterate({ query }), 1)).toEqual(refused(3));

        await first.body?.cancel();
        await Promise.all([client, other, fourth].map((each) => each.dispose()));
        await Promise.all(held);
        await until(() => limited.subscriptions() === 0, 'every subscription is closed');
      },
    );
  });

  it('refuses a WebSocket upgrade from another origin, or to another path', async () => {
    const upgrade = (path: string, headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        const socket = new WebSocket(`${open().url.replace('http', 'ws')}${path}`, 'graphql-transport-ws', { headers });
        socket.once('unexpected-response', (_request, response: IncomingMessage) => resolve(response.statusCode ?? 0));
        socket.once('open', () => {
          socket.close();
          resolve(101);
        });
        socket.once('error', reject);
      });
    const host = new URL(open().url).host;
    expect(await upgrade('/graphql', { origin: 'https://elsewhere.example' })).toBe(403);
    expect(await upgrade('/elsewhere', {})).toBe(404);
    expect(await upgrade('/graphql', { origin: `http://${host}` })).toBe(101);
  });

  it('ends subscriptions when the gateway drains, over SSE and WebSockets, rather than wait out the grace period', async () => {
    // A grace longer than the test's timeout: a drain that waited for the streams would fail the test.
    const draining = await startGateway(backends, { server: { shutdownGraceMs: 60_000 } });
    const query = 'subscription { articleCreated { id } }';
    const overSse = sseClient(draining.url).iterate({ query });
    const ws = wsClient(draining.url);
    const overWs = ws.iterate({ query });
    const ends = [overSse.next(), overWs.next().catch((closed: { code?: number }) => ({ closed: closed.code }))];
    await until(() => draining.subscriptions() === 2, 'both subscriptions are open');
    await draining.close();
    expect(await Promise.all(ends)).toEqual([{ done: true, value: undefined }, { closed: 1001 }]);
    await ws.dispose();
  });

  it('answers a subscription sent as a plain JSON POST with BAD_REQUEST: it needs a stream', async () => {
    const answer = await postGraphQL(`${open().url}/graphql`, { query: 'subscription { articleCreated { id } }' });
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.extensions.code).toBe('BAD_REQUEST');
    expect(open().subscriptions()).toBe(0);
  });
});
