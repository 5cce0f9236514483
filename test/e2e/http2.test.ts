/**
 * HTTP/2 to upstreams (`sources.<name>.http2`) against real `node:http2`
 * servers on 127.0.0.1, TLS with certificates made for this run: the
 * protocol is agreed (or required), one connection carries concurrent
 * calls, and the source client's timeouts, retries, hedging, size bound and
 * metrics hold over it as over HTTP/1.1.
 */

import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import {
  createServer as createH2cServer,
  createSecureServer,
  type Http2SecureServer,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
} from 'node:http2';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/config/config-schema.ts';
import { resolveConfig } from '../../src/config/resolve-config.ts';
import { createGateway } from '../../src/server/create-gateway.ts';
import type { Graph } from '../../src/server/graph.ts';
import { listen } from '../../src/server/listen.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { type Certificates, makeCertificates } from '../helpers/certificates.ts';
import { postGraphQL } from '../helpers/gateway.ts';

let certs: Certificates;
const servers: Array<Http2Server | Http2SecureServer | HttpsServer | HttpServer> = [];
beforeAll(() => {
  certs = makeCertificates();
});
afterAll(async () => {
  for (const server of servers) (server as { closeAllConnections?: () => void }).closeAllConnections?.();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  certs.remove();
});

const graph: Graph = {
  files: [
    {
      name: 'things.graphql',
      body: `type Thing { id: ID!, protocol: String! }
type Query { thing(id: ID!): Thing @rest(source: "internal", path: "/things/{$args.id}") }`,
    },
  ],
};

interface Service {
  url: string;
  /** Connections (HTTP/2 sessions, or TLS sockets for HTTP/1.1) accepted so far. */
  connections(): number;
  /** Requests per path, and the most that were open at once. */
  calls: Map<string, number>;
  mostAtOnce(): number;
}

/**
 * A things service. `/things/<id>` answers `{ id, protocol }`, except:
 * `hang-*` never answers, `flaky-*` answers 503 on its first call,
 * `slow-once-*` never answers its first call, `big` sends 64 KiB, and
 * `wait-<n>-*` is held until n such requests are open at once (so a test
 * proves calls were concurrent without timing them).
 */
function handler(service: Service) {
  const held: Array<() => void> = [];
  let open = 0;
  let most = 0;
  service.mostAtOnce = () => most;
  return (req: Http2ServerRequest, res: Http2ServerResponse) => {
    const id = decodeURIComponent((req.url ?? '').split('/')[2] ?? '');
    const seen = (service.calls.get(id) ?? 0) + 1;
    service.calls.set(id, seen);
    open += 1;
    most = Math.max(most, open);
    res.on('close', () => (open -= 1));
    const answer = (status = 200, body: unknown = { id, protocol: req.httpVersion }) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (id.startsWith('hang')) return;
    if (id.startsWith('flaky') && seen === 1) return answer(503, { error: 'busy' });
    if (id.startsWith('slow-once') && seen === 1) return;
    if (id === 'big') return answer(200, { id, protocol: 'x'.repeat(64 * 1024) });
    const wait = /^wait-(\d+)-/.exec(id);
    if (!wait) return answer();
    held.push(() => answer());
    if (held.length >= Number(wait[1])) for (const release of held.splice(0)) release();
  };
}

/** A things service on `server`, its connections counted on `event` (an HTTP/2 session, or a TCP connection). */
async function startService(
  server: Http2Server | Http2SecureServer | HttpsServer | HttpServer,
  protocol: 'http' | 'https',
  event: 'session' | 'connection',
): Promise<Service> {
  let connections = 0;
  const service: Service = { url: '', connections: () => connections, calls: new Map(), mostAtOnce: () => 0 };
  server.on('request', handler(service) as never);
  server.on(event, () => (connections += 1));
  server.on('tlsClientError', () => undefined);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  service.url = `${protocol}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return service;
}

/** An HTTP/2 service over TLS; `http1` also speaks HTTP/1.1 to clients that do not offer h2. */
const startH2 = (http1 = false) =>
  startService(
    createSecureServer({ cert: certs.server.cert, key: certs.server.key, allowHTTP1: http1 }),
    'https',
    'session',
  );

/** HTTP/2 without TLS (h2c): only a client that speaks it at once can talk to it. */
const startH2c = () => startService(createH2cServer(), 'http', 'session');

/** An HTTPS service that speaks HTTP/1.1 only. */
const startHttp1 = () =>
  startService(createHttpsServer({ cert: certs.server.cert, key: certs.server.key }), 'https', 'connection');

type Source = GatewayConfig['sources'][string];

/** A gateway over the one source `internal`, for the length of `use`. */
async function withGateway<T>(
  source: Partial<Source> & { url: string },
  use: (ask: (query: string) => ReturnType<typeof postGraphQL>, url: string) => Promise<T>,
): Promise<T> {
  const config: GatewayConfig = {
    schema: 'unused',
    server: { port: 0 },
    sources: { internal: { tls: { ca: { file: certs.ca.file } }, hedge: { enabled: false }, ...source } },
  };
  const gateway = createGateway(config, { env: {}, logger: createLogger({ level: 'silent' }), graph });
  const running = await listen(gateway, resolveConfig(config, {}));
  try {
    return await use((query) => postGraphQL(`${running.url}/graphql`, { query }), running.url);
  } finally {
    await running.shutdown();
  }
}

const aliases = (count: number, id: (index: number) => string) =>
  `{ ${Array.from({ length: count }, (_, index) => `t${index}: thing(id: "${id(index)}") { protocol }`).join(' ')} }`;

describe('HTTP/2 upstreams', () => {
  it("'auto' agrees HTTP/2 over TLS, and then one connection carries eight calls at once", async () => {
    const service = await startH2();
    const answer = await withGateway({ url: service.url, http2: 'auto' }, async (ask) => {
      // The first call learns that the source speaks h2; calls made before any answer each open a connection.
      expect((await ask('{ thing(id: "first") { protocol } }')).body.data).toEqual({ thing: { protocol: '2.0' } });
      return ask(aliases(8, (index) => `wait-8-${index}`));
    });
    expect(answer.body.errors, JSON.stringify(answer.body.errors)).toBeUndefined();
    expect(Object.values(answer.body.data ?? {})).toEqual(Array(8).fill({ protocol: '2.0' }));
    // The service held every answer until all eight were open: they were, on one connection.
    expect(service.mostAtOnce()).toBe(8);
    expect(service.connections()).toBe(1);
  });

  it("'auto' falls back to HTTP/1.1 when the source does not speak HTTP/2; false never offers it", async () => {
    const http1 = await startHttp1();
    const fallback = await withGateway({ url: http1.url, http2: 'auto' }, (ask) =>
      ask('{ thing(id: "1") { protocol } }'),
    );
    expect(fallback.body).toEqual({ data: { thing: { protocol: '1.1' } } });
    const both = await startH2(true);
    const off = await withGateway({ url: both.url }, (ask) => ask('{ thing(id: "1") { protocol } }'));
    expect(off.body).toEqual({ data: { thing: { protocol: '1.1' } } });
  });

  it('true requires HTTP/2: a source that does not agree fails with its reason, not retried', async () => {
    const http1 = await startHttp1();
    const refused = await withGateway({ url: http1.url, http2: true }, (ask) => ask('{ thing(id: "1") { protocol } }'));
    expect(refused.body.data).toEqual({ thing: null });
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({
      code: 'UPSTREAM_TLS_ERROR',
      source: 'internal',
      reason: 'no-http2',
      retryable: false,
    });
    expect(refused.body.errors?.[0]?.message).toContain("'auto'");
    expect(http1.connections()).toBe(1);
    expect(http1.calls.size).toBe(0);
  });

  it('true over plain http speaks HTTP/2 at once (h2c), on one connection from the first burst', async () => {
    const service = await startH2c();
    const answer = await withGateway({ url: service.url, http2: true }, (ask) =>
      ask(aliases(5, (index) => `wait-5-${index}`)),
    );
    expect(Object.values(answer.body.data ?? {})).toEqual(Array(5).fill({ protocol: '2.0' }));
    expect(service.mostAtOnce()).toBe(5);
    expect(service.connections()).toBe(1);
    // A plain http source that speaks HTTP/1.1 only cannot read HTTP/2: the call fails with a code, not a hang.
    const http1 = await startService(createHttpServer(), 'http', 'connection');
    const refused = await withGateway({ url: http1.url, http2: true }, (ask) => ask('{ thing(id: "1") { protocol } }'));
    expect(refused.body.data).toEqual({ thing: null });
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', source: 'internal' });
  });

  it('keeps timeouts, retries, the size bound and metrics over HTTP/2', async () => {
    const service = await startH2();
    await withGateway(
      {
        url: service.url,
        http2: true,
        timeouts: { attemptMs: 500 },
        retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
        maxResponseBytes: 16 * 1024,
      },
      async (ask, url) => {
        const answer = await ask(
          '{ hung: thing(id: "hang-1") { protocol } flaky: thing(id: "flaky-1") { protocol } big: thing(id: "big") { protocol } ok: thing(id: "1") { protocol } }',
        );
        expect(answer.body.data).toEqual({
          hung: null,
          flaky: { protocol: '2.0' },
          big: null,
          ok: { protocol: '2.0' },
        });
        const codes = Object.fromEntries(
          (answer.body.errors ?? []).map((error) => [error.path?.[0], error.extensions.code]),
        );
        expect(codes).toEqual({ hung: 'UPSTREAM_TIMEOUT', big: 'UPSTREAM_RESPONSE_TOO_LARGE' });
        // The 503 was retried once; the timed-out call was retried too (a timeout is retryable), both over HTTP/2.
        expect(service.calls.get('flaky-1')).toBe(2);
        expect(service.calls.get('hang-1')).toBe(2);
        const metrics = await (await fetch(`${url}/metrics`)).text();
        expect(metrics).toMatch(/graftql_upstream_retries_total\{source="internal"\} [1-9]/);
        expect(metrics).toMatch(
          /graftql_upstream_requests_total\{source="internal",method="GET",status_class="2xx",outcome="success"\} [1-9]/,
        );
        expect(metrics).toMatch(
          /graftql_upstream_requests_total\{source="internal",[^}]*outcome="UPSTREAM_TIMEOUT"\} 2/,
        );
      },
    );
  });

  it('hedges over HTTP/2: the backup call answers when the first hangs', async () => {
    const service = await startH2();
    const answer = await withGateway(
      {
        url: service.url,
        http2: true,
        hedge: { enabled: true, delayMs: 20, maxBackups: 1 },
        timeouts: { attemptMs: 5_000 },
      },
      (ask) => ask('{ thing(id: "slow-once-1") { protocol } }'),
    );
    expect(answer.body).toEqual({ data: { thing: { protocol: '2.0' } } });
    expect(service.calls.get('slow-once-1')).toBe(2);
    expect(service.connections()).toBe(1);
  });
});
