/**
 * Webhooks in: every bad delivery is refused with its status and code and
 * reaches no subscriber; replays are refused within the window; a delivered
 * event drops the cached reads it names; many events arrive, all of them,
 * in order.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { type Backends, callsTo, resetBackends, seed } from '../helpers/backends.ts';
import { DEV_KEY, postWebhook, sendEvent, signedHeaders, sseClient, take, wsClient } from '../helpers/events.ts';
import { type TestGateway, useGateway } from '../helpers/gateway.ts';
import { manualClock, until } from '../helpers/time.ts';

let backends: Backends;
let gateway: TestGateway;
const clock = manualClock();

useGateway({ now: clock.now, limits: { subscriberQueue: 1_000 } }, (running) => {
  ({ backends, gateway } = running);
});
beforeEach(() => resetBackends(backends));

const article = (id: number, title = `Article ${id}`) => ({
  id,
  title,
  body: 'Text.',
  category: 'news',
  author_id: 1,
  created_at: '2026-11-26T00:00:00Z',
});
const COUNT = 1_000;
const seconds = () => Math.floor(clock.now() / 1000);

describe('POST /webhooks/<source>', () => {
  it('refuses each bad delivery with its status and code, logs it without the body, and delivers none of them', async () => {
    const client = sseClient(gateway.url);
    const subscription = client.iterate({ query: 'subscription { articleCreated { id title } }' });
    const first = subscription.next();
    await until(() => gateway.subscriptions() === 1, 'the subscription is open');

    const body = JSON.stringify({ type: 'article.created', data: article(900, 'SECRET-BODY-MARKER') });
    const good = signedHeaders(body, { timestamp: seconds() });
    const without = (name: string) => Object.fromEntries(Object.entries(good).filter(([key]) => key !== name));
    const cases: Array<[string, Promise<unknown>, { status: number; code: string }]> = [
      [
        'wrong signature',
        postWebhook(
          gateway.url,
          'content',
          body,
          signedHeaders(body, { key: Buffer.alloc(32, 1), timestamp: seconds() }),
        ),
        { status: 401, code: 'WEBHOOK_SIGNATURE_INVALID' },
      ],
      [
        'body changed',
        postWebhook(gateway.url, 'content', body.replace('900', '901'), good),
        { status: 401, code: 'WEBHOOK_SIGNATURE_INVALID' },
      ],
      [
        'stale timestamp',
        postWebhook(gateway.url, 'content', body, signedHeaders(body, { timestamp: seconds() - 301 })),
        { status: 401, code: 'WEBHOOK_TIMESTAMP_OUT_OF_RANGE' },
      ],
      [
        'future timestamp',
        postWebhook(gateway.url, 'content', body, signedHeaders(body, { timestamp: seconds() + 301 })),
        { status: 401, code: 'WEBHOOK_TIMESTAMP_OUT_OF_RANGE' },
      ],
      [
        'missing header',
        postWebhook(gateway.url, 'content', body, without('webhook-signature')),
        { status: 400, code: 'WEBHOOK_HEADER_MISSING' },
      ],
      [
        'malformed header',
        postWebhook(gateway.url, 'content', body, { ...good, 'webhook-signature': 'v1;nothing' }),
        { status: 400, code: 'WEBHOOK_HEADER_MALFORMED' },
      ],
      [
        'declared oversized body',
        postWebhook(gateway.url, 'content', 'x'.repeat(1_100_000), good),
        { status: 413, code: 'PAYLOAD_TOO_LARGE' },
      ],
      ['unknown source', postWebhook(gateway.url, 'weather', body, good), { status: 404, code: 'NOT_FOUND' }],
      [
        'not JSON',
        postWebhook(gateway.url, 'content', 'not json', signedHeaders('not json', { timestamp: seconds() })),
        { status: 400, code: 'BAD_REQUEST' },
      ],
    ];
    for (const [name, answer, expected] of cases) expect(await answer, name).toEqual(expected);

    // A chunked body over the limit, with no Content-Length: reading stops at the limit.
    const chunked = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(64 * 1024)));
        controller.close();
      },
    });
    const streamed = await fetch(`${gateway.url}/webhooks/content`, {
      method: 'POST',
      headers: good,
      body: chunked,
      duplex: 'half',
    } as RequestInit);
    expect([streamed.status, ((await streamed.json()) as { code: string }).code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const get = await fetch(`${gateway.url}/webhooks/content`);
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);

    // The first message the subscriber gets is the first good delivery.
    expect(await sendEvent(gateway.url, 'content', 'article.created', article(901), { timestamp: seconds() })).toEqual({
      status: 204,
    });
    expect((await first).value).toEqual({ data: { articleCreated: { id: 'Article:901', title: 'Article 901' } } });
    await subscription.return?.();

    const refusals = gateway.logs.filter((line) => line.includes('webhook refused'));
    expect(refusals.length).toBeGreaterThanOrEqual(cases.length);
    expect(refusals.join('\n')).not.toContain('SECRET-BODY-MARKER');
    expect(refusals.join('\n')).toContain('"code":"WEBHOOK_SIGNATURE_INVALID"');
  });

  it('refuses a replay within the window, and forgets the id once a replay would be stale anyway', async () => {
    const body = JSON.stringify({ type: 'article.created', data: article(902) });
    const headers = signedHeaders(body, { id: 'msg_replayed', timestamp: seconds() });
    expect(await postWebhook(gateway.url, 'content', body, headers)).toEqual({ status: 204 });
    expect(await postWebhook(gateway.url, 'content', body, headers)).toEqual({ status: 409, code: 'WEBHOOK_REPLAYED' });
    clock.advance(299_000);
    expect(
      await postWebhook(
        gateway.url,
        'content',
        body,
        signedHeaders(body, { id: 'msg_replayed', timestamp: seconds() }),
      ),
    ).toEqual({ status: 409, code: 'WEBHOOK_REPLAYED' });
    clock.advance(302_000);
    // The original delivery is now out of the tolerance; the id is forgotten, and a fresh signature with it passes.
    expect(await postWebhook(gateway.url, 'content', body, headers)).toEqual({
      status: 401,
      code: 'WEBHOOK_TIMESTAMP_OUT_OF_RANGE',
    });
    expect(
      await postWebhook(
        gateway.url,
        'content',
        body,
        signedHeaders(body, { id: 'msg_replayed', timestamp: seconds() }),
      ),
    ).toEqual({ status: 204 });
  });

  it('drops the cached reads a delivered event names', async () => {
    const read = () => gateway.query('{ article(id: "Article:3") { title } }');
    await read();
    await read();
    expect(callsTo(backends.content.requests, '/articles/3')).toHaveLength(1);
    expect(
      await sendEvent(
        gateway.url,
        'content',
        'article.updated',
        { ...seed.articles[2], title: 'Changed elsewhere' },
        { timestamp: seconds() },
      ),
    ).toEqual({ status: 204 });
    await read();
    expect(callsTo(backends.content.requests, '/articles/3')).toHaveLength(2);
  });

  it('delivers 1,000 events, every one, in order, to each subscriber over SSE and over WebSockets', async () => {
    const sse = sseClient(gateway.url).iterate({ query: 'subscription { articleCreated { id } }' });
    const ws = wsClient(gateway.url);
    const overWs = ws.iterate({ query: 'subscription { articleCreated { id } }' });
    const seen = [take(sse, COUNT), take(overWs, COUNT)];
    await until(() => gateway.subscriptions() === 2, 'both subscriptions are open');
    for (let n = 1; n <= COUNT; n++) {
      const answer = await sendEvent(gateway.url, 'content', 'article.created', article(10_000 + n), {
        timestamp: seconds(),
        key: DEV_KEY,
      });
      if (answer.status !== 204) throw new Error(`event ${n}: ${JSON.stringify(answer)}`);
    }
    const expected = Array.from({ length: COUNT }, (_, i) => ({
      data: { articleCreated: { id: `Article:${10_001 + i}` } },
    }));
    const [overSse, overWebSocket] = await Promise.all(seen);
    expect(overSse).toEqual(expected);
    expect(overWebSocket).toEqual(expected);
    await sse.return?.();
    await overWs.return?.();
    await ws.dispose();
    await until(() => gateway.subscriptions() === 0, 'the subscriptions are closed');
  });
});
