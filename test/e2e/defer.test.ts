/**
 * `@defer` and `@stream` against a real gateway over a real REST service
 * whose slow endpoint the test holds: the initial payload arrives while the
 * slow call is still unanswered, the deferred part after it is released;
 * over multipart/mixed and SSE; Apollo Client and urql each render the
 * initial and then the deferred data; the document's limits and call
 * budget count the deferred parts; a transport that cannot stream gets the
 * whole answer at once.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { Defer20220824Handler } from '@apollo/client/incremental';
import { createClient, fetchExchange } from '@urql/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/config/config-schema.ts';
import { resolveConfig } from '../../src/config/resolve-config.ts';
import { createGateway } from '../../src/server/create-gateway.ts';
import { listen, type RunningGateway } from '../../src/server/listen.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { wsClient } from '../helpers/events.ts';
import { postGraphQL } from '../helpers/gateway.ts';

const SDL = `type User {
  id: ID!
  name: String!
  "Slow: the service answers it only when the test lets it."
  bio: String @rest(source: "api", path: "/users/{$parent.id}/bio", selection: "text")
}
type Query {
  user(id: ID!): User @rest(source: "api", path: "/users/{$args.id}")
  users: [User!]! @rest(source: "api", path: "/users")
}`;

let service: Server;
let gateway: RunningGateway;
let url: string;
/** Bio answers waiting for `release`. */
const held: Array<() => void> = [];
let calls: string[] = [];
const release = () => {
  for (const answer of held.splice(0)) answer();
};

/** Resolves once the service holds `count` bio calls. */
async function holding(count = 1): Promise<void> {
  while (held.length < count) await new Promise((resolve) => setImmediate(resolve));
}

/** A gateway over the users service, with these limits. */
function gatewayOver(over: Server, limits: GatewayConfig['limits']): Promise<RunningGateway> {
  const config: GatewayConfig = {
    schema: 'unused',
    server: { port: 0 },
    sources: { api: { url: `http://127.0.0.1:${(over.address() as AddressInfo).port}`, cache: { enabled: false } } },
    limits,
  };
  const graph = { files: [{ name: 'users.graphql', body: SDL }] };
  return listen(
    createGateway(config, { env: {}, logger: createLogger({ level: 'silent' }), graph }),
    resolveConfig(config, {}),
  );
}

beforeAll(async () => {
  service = createServer((req, res) => {
    const path = req.url ?? '/';
    calls.push(path);
    const json = (body: unknown) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (path.endsWith('/bio')) return void held.push(() => json({ text: `bio of ${path.split('/')[2]}` }));
    if (path === '/users') return json([1, 2, 3].map((id) => ({ id, name: `User ${id}` })));
    json({ id: path.split('/')[2], name: `User ${path.split('/')[2]}` });
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  gateway = await gatewayOver(service, { upstreamCallsPerOperation: 4 });
  url = `${gateway.url}/graphql`;
});
afterAll(async () => {
  release();
  await gateway.shutdown();
  service.closeAllConnections();
  await new Promise((resolve) => service.close(resolve));
});

const DEFERRED = '{ user(id: "1") { name ... @defer { bio } } }';

/** The JSON parts of a multipart/mixed body as they arrive; `next()` waits for one more. */
function multipartParts(response: Response) {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  const parts: unknown[] = [];
  const parse = () => {
    const found = text.match(/\r\n\r\n(\{[\s\S]*?\})\r\n--/);
    if (!found?.[1] || found.index === undefined) return false;
    parts.push(JSON.parse(found[1]));
    text = text.slice(found.index + found[0].length - 2);
    return true;
  };
  return async function next(): Promise<unknown> {
    while (!parse()) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`the body ended after ${parts.length} parts: ${text}`);
      text += decoder.decode(value, { stream: true });
    }
    return parts.at(-1);
  };
}

describe('@defer and @stream', () => {
  it('sends the initial payload over multipart/mixed while the slow call is held, and the deferred part once it answers', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'multipart/mixed; deferSpec=20220824, application/json' },
      body: JSON.stringify({ query: DEFERRED }),
    });
    expect(response.headers.get('content-type')).toMatch(/^multipart\/mixed/);
    const next = multipartParts(response);
    expect(await next()).toEqual({ data: { user: { name: 'User 1' } }, hasNext: true });
    await holding();
    release();
    expect(await next()).toEqual({ incremental: [{ data: { bio: 'bio of 1' }, path: ['user'] }], hasNext: false });
  });

  it('streams over SSE too, and a list by @stream, its first item in the initial payload', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: '{ users @stream(initialCount: 1) { name } }' }),
    });
    const text = await response.text();
    const payloads = [...text.matchAll(/^data: (.+)$/gm)].map((match) => JSON.parse(match[1] as string));
    expect(payloads[0]).toEqual({ data: { users: [{ name: 'User 1' }] }, hasNext: true });
    const streamed = payloads
      .slice(1)
      .flatMap((payload) => payload.incremental?.flatMap((part: { items: unknown[] }) => part.items) ?? []);
    expect(streamed).toEqual([{ name: 'User 2' }, { name: 'User 3' }]);
    expect(payloads.at(-1)?.hasNext).toBe(false);
    expect(text).toMatch(/event: complete/);
  });

  it('ends a deferred part still waiting at the deadline with its code, in that part', async () => {
    const hurried = await gatewayOver(service, { requestDeadlineMs: 300 });
    try {
      const response = await fetch(`${hurried.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'multipart/mixed' },
        body: JSON.stringify({ query: DEFERRED }),
      });
      const next = multipartParts(response);
      expect(await next()).toEqual({ data: { user: { name: 'User 1' } }, hasNext: true });
      const late = (await next()) as {
        incremental: Array<{ data: unknown; errors: Array<{ extensions: { code: string } }> }>;
      };
      expect(late.incremental[0]?.data).toEqual({ bio: null });
      expect(late.incremental[0]?.errors.map((error) => error.extensions.code)).toEqual(['GATEWAY_TIMEOUT']);
    } finally {
      release();
      await hurried.shutdown();
    }
  });

  it('sends each payload as its own message over WebSockets', async () => {
    const client = wsClient(gateway.url);
    try {
      const payloads: unknown[] = [];
      for await (const payload of client.iterate({ query: DEFERRED })) {
        payloads.push(payload);
        if (payloads.length === 1) void holding().then(release);
      }
      expect(payloads).toEqual([
        { data: { user: { name: 'User 1' } }, hasNext: true },
        { incremental: [{ data: { bio: 'bio of 1' }, path: ['user'] }], hasNext: false },
      ]);
    } finally {
      await client.dispose();
    }
  });

  it('answers whole over a transport that cannot stream (plain JSON), however often it is asked (compiled after ten uses)', async () => {
    for (let use = 0; use < 12; use++) {
      const answer = postGraphQL(url, { query: DEFERRED });
      await holding();
      release();
      expect((await answer).body).toEqual({ data: { user: { name: 'User 1', bio: 'bio of 1' } } });
    }
  });

  it('counts the deferred parts in the call budget: over it, the operation is refused before any call', async () => {
    calls = [];
    const users = [1, 2, 3, 4].map((id) => `u${id}: user(id: "${id}") { name }`).join(' ');
    const within = await postGraphQL(url, { query: `{ ${users} }` });
    expect(within.body.errors).toBeUndefined();
    calls = [];
    const over = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'multipart/mixed' },
      body: JSON.stringify({ query: `{ u0: user(id: "0") { name } ... @defer { ${users} } }` }),
    });
    const [refusal] = ((await multipartParts(over)()) as { errors: Array<{ extensions: { code: string } }> }).errors;
    expect(refusal?.extensions.code).toBe('UPSTREAM_CALL_BUDGET_EXCEEDED');
    expect(calls).toEqual([]);
  });

  it('Apollo Client renders the initial data, then the deferred part', async () => {
    const client = new ApolloClient({
      link: new HttpLink({ uri: url }),
      cache: new InMemoryCache(),
      incrementalHandler: new Defer20220824Handler(),
    });
    const seen: unknown[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const subscription = client.watchQuery({ query: gql(DEFERRED) }).subscribe({
        next(result) {
          if (result.loading && !result.data) return;
          seen.push(result.data);
          if (seen.length === 1) void holding().then(release);
          if ((result.data as { user?: { bio?: string } } | undefined)?.user?.bio) {
            subscription.unsubscribe();
            resolve();
          }
        },
        error: reject,
      });
    });
    await done;
    expect(seen[0]).toEqual({ user: { __typename: 'User', name: 'User 1' } });
    expect(seen.at(-1)).toEqual({ user: { __typename: 'User', name: 'User 1', bio: 'bio of 1' } });
  });

  it('urql renders the initial data, then the deferred part', async () => {
    const client = createClient({ url, exchanges: [fetchExchange], preferGetMethod: false });
    const seen: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      // Not unsubscribed: urql aborts a fetch whose stream it is still reading, and on Node 24 that read's rejection goes unhandled.
      client.query(DEFERRED, {}).subscribe((result) => {
        if (result.error) return reject(result.error);
        seen.push(result.data);
        if (seen.length === 1) void holding().then(release);
        if (!result.hasNext) resolve();
      });
    });
    expect(seen[0]).toEqual({ user: { name: 'User 1' } });
    expect(seen.at(-1)).toEqual({ user: { name: 'User 1', bio: 'bio of 1' } });
  });
});
