/**
 * The recipes of docs/embedding.md (examples/embedding/), each with the real
 * framework on 127.0.0.1 and real requests: a query, a mutation, GraphiQL,
 * health, the BFF's own route beside the gateway, the body limit, a path
 * that is nobody's, and a client that goes away mid-request.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp as expressApp } from '../../examples/embedding/express.ts';
import { createApp as fastifyApp } from '../../examples/embedding/fastify.ts';
import { createApp as honoApp } from '../../examples/embedding/hono.ts';
import { createApp as nodeApp } from '../../examples/embedding/node-http.ts';
import { createGateway, type Gateway } from '../../src/index.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { type Backends, seed, startBackends } from '../helpers/backends.ts';
import { configFor, postGraphQL } from '../helpers/gateway.ts';
import { until } from '../helpers/time.ts';

interface Started {
  url: string;
  close(): Promise<unknown>;
}

const MAX_BODY = 4_096;
let backends: Backends;
let gateway: Gateway;

beforeAll(async () => {
  backends = await startBackends();
  gateway = createGateway(
    configFor({
      // The deadline and an attempt outlast the test's wait: only a cancelled call ends within it.
      limits: { maxBodyBytes: MAX_BODY, requestDeadlineMs: 30_000 },
      sources: { accounts: { timeouts: { attemptMs: 29_000, headersMs: 29_000 } } },
    }),
    {
      env: backends.env,
      logger: createLogger({ level: 'silent' }),
    },
  );
});
afterAll(async () => {
  await gateway.dispose();
  await backends.close();
});
beforeEach(() => backends.accounts.setLatency(0));

const listening = (server: import('node:http').Server): Promise<Started> =>
  new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise((done) => server.close(done)),
      }),
    ),
  );

const frameworks: Array<[string, () => Promise<Started>]> = [
  ['node:http', () => listening(nodeApp(gateway))],
  ['Express 5', () => listening(expressApp(gateway).listen(0, '127.0.0.1'))],
  [
    'Fastify 5',
    async () => {
      const app = await fastifyApp(gateway);
      await app.listen({ port: 0, host: '127.0.0.1' });
      // Keep-alive sockets of hijacked replies would hold close() open.
      return {
        url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
        close: () => {
          app.server.closeAllConnections();
          return app.close();
        },
      };
    },
  ],
  [
    'Hono (@hono/node-server)',
    () =>
      new Promise((resolve) => {
        const server = serve({ fetch: honoApp(gateway).fetch, port: 0, hostname: '127.0.0.1' }, (info) =>
          resolve({ url: `http://127.0.0.1:${info.port}`, close: () => new Promise((done) => server.close(done)) }),
        );
      }),
  ],
];

describe.each(frameworks.map(([name, start], index) => [name, start, index] as const))('%s', (_name, start, index) => {
  let app: Started;
  beforeAll(async () => {
    app = await start();
  });
  afterAll(() => app.close());

  it('answers a query and a mutation', async () => {
    const query = await postGraphQL(`${app.url}/graphql`, { query: '{ user(id: "User:1") { name } }' });
    expect(query.body).toEqual({ data: { user: { name: seed.users[0]!.name } } });
    const mutation = await postGraphQL(`${app.url}/graphql`, {
      query: 'mutation { updateArticle(id: "Article:9", patch: { title: "Embedded" }) { title } }',
    });
    expect(mutation.body).toEqual({ data: { updateArticle: { title: 'Embedded' } } });
  });

  it('serves GraphiQL to a browser, health, metrics and the status page', async () => {
    const page = await fetch(`${app.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('GraphiQL');
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${app.url}/metrics`)).headers.get('content-type')).toMatch(/^text\/plain; version=0.0.4/);
    expect(await (await fetch(`${app.url}/status`)).text()).toContain('<title>GraftQL status</title>');
  });

  it("leaves the BFF's own routes and unknown paths to the framework", async () => {
    const own = await fetch(`${app.url}/api/hello`);
    expect(await own.json()).toEqual({ hello: 'from the BFF' });
    expect((await fetch(`${app.url}/nobody`)).status).toBe(404);
  });

  it('refuses a body over the limit with 413 and a code', async () => {
    const answer = await postGraphQL(`${app.url}/graphql`, {
      query: `{ user(id: "User:1") { name } } # ${'x'.repeat(MAX_BODY)}`,
    });
    expect([answer.status, answer.body.errors?.[0]?.extensions.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });

  it('cancels the upstream call of a client that goes away, and keeps serving', async () => {
    backends.accounts.setLatency(30_000);
    backends.accounts.clearRecords();
    const leaving = new AbortController();
    const request = fetch(`${app.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // A user no other test asked for: a cached answer would make no call to cancel.
      body: JSON.stringify({ query: `{ user(id: "User:${20 + index}") { name } }` }),
      signal: leaving.signal,
    }).catch((error: Error) => error.name);
    await until(() => backends.accounts.requests.length === 1, 'the upstream call was made');
    leaving.abort();
    expect(await request).toBe('AbortError');
    // The service sees its caller close the connection before its answer (30 s away; the deadline and an attempt
    // are as long): the call, and any hedged backup of it, was cancelled.
    const { requests } = backends.accounts;
    await until(() => requests.every((call) => call.cancelled), 'the upstream call was cancelled', 9_000);
    backends.accounts.setLatency(0);
    expect((await postGraphQL(`${app.url}/graphql`, { query: '{ user(id: "User:3") { name } }' })).body.data).toEqual({
      user: { name: seed.users[2]!.name },
    });
  });
});

describe('docs/embedding.md', () => {
  it('shows each recipe as the file the tests run', () => {
    const doc = readFileSync('docs/embedding.md', 'utf8');
    for (const file of ['node-http.ts', 'express.ts', 'fastify.ts', 'hono.ts']) {
      expect(doc).toContain(`\`\`\`ts\n${readFileSync(`examples/embedding/${file}`, 'utf8').trimEnd()}\n\`\`\``);
    }
  });
});
