/**
 * `npm run bench:http2`: what HTTP/2 changes between the gateway and one
 * upstream (`sources.<name>.http2`). A TLS upstream (`node:http2`, also
 * speaking HTTP/1.1; a certificate made with openssl for this run) serves
 * `/posts/{id}` and `/users/{id}`; a gateway in this process answers
 * `post(id: $id) { title user { name } }` with another id in each request
 * (two upstream calls each, nothing shared), under autocannon (100
 * connections) for BENCH_SECONDS (default 5), once for each of `http2`
 * false, 'auto' and true. The table gives the upstream connections each
 * opened and the most calls one connection carried at once, beside the
 * throughput. Printed, and written to bench/results/<date>-http2.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { createGateway, createLogger, type GatewayConfig, listen, resolveConfig } from '../src/index.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 100;
const MODES = [false, 'auto', true] as const;

const certificate = selfSigned();
try {
  const upstream = await startUpstream(certificate);
  const rows = [];
  for (const http2 of MODES) rows.push({ http2, ...(await measure(http2, upstream, certificate.cert)) });
  upstream.close();
  const report = [
    `# HTTP/2 upstreams, ${new Date().toISOString().slice(0, 16)} (Node ${process.version})`,
    '',
    `\`post(id: $id) { title user { name } }\` with another id in each request (two upstream calls, nothing shared), ${CONNECTIONS} client connections for ${SECONDS} s per row; gateway and TLS upstream in one process, not pinned. "Most at once" is the most calls one upstream connection carried at the same moment.`,
    '',
    '| sources.upstream.http2 | protocol | req/s | upstream calls | upstream connections | most at once on one connection | errors |',
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${JSON.stringify(row.http2)} | ${row.protocol} | ${Math.round(row.rps).toLocaleString('en')} | ${row.calls.toLocaleString('en')} | ${row.connections} | ${row.mostAtOnce} | ${row.errors} |`,
    ),
  ].join('\n');
  console.log(report);
  writeFileSync(new URL(`results/${new Date().toISOString().slice(0, 10)}-http2.md`, import.meta.url), `${report}\n`);
} finally {
  certificate.remove();
}

interface Upstream {
  url: string;
  /** Counts since the last reset: connections opened, calls, the most in flight on one connection, the protocol seen. */
  reset(): { connections: number; calls: number; mostAtOnce: number; protocol: string };
  close(): void;
}

/** The benchmark's REST shapes over TLS, HTTP/2 and HTTP/1.1 both, counting per connection. */
async function startUpstream({ cert, key }: { cert: string; key: string }): Promise<Upstream> {
  let connections = 0;
  let calls = 0;
  let mostAtOnce = 0;
  let protocol = '';
  const open = new WeakMap<object, number>();
  const server = createSecureServer({ cert, key, allowHTTP1: true }, (req, res) => answer(req, res));
  server.on('secureConnection', () => (connections += 1));
  const answer = (req: Http2ServerRequest, res: Http2ServerResponse) => {
    calls += 1;
    protocol = req.httpVersion === '2.0' ? 'HTTP/2' : 'HTTP/1.1';
    // An HTTP/2 request's socket is a proxy made per stream: its session is the connection.
    const connection: object = req.httpVersion === '2.0' ? (req.stream.session ?? req.stream) : req.socket;
    const now = (open.get(connection) ?? 0) + 1;
    open.set(connection, now);
    mostAtOnce = Math.max(mostAtOnce, now);
    res.on('close', () => open.set(connection, (open.get(connection) ?? 1) - 1));
    const [, collection, id = '1'] = (req.url ?? '/').split('/');
    const n = (Number(id) % 100) + 1;
    const body =
      collection === 'users'
        ? { id: n, name: `User ${n}` }
        : { id: n, userId: (n % 10) + 1, title: `Post title ${n}`, body: `Post body ${n}`.repeat(4) };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    reset() {
      const counts = { connections, calls, mostAtOnce, protocol };
      connections = calls = mostAtOnce = 0;
      return counts;
    },
    close: () => server.close(),
  };
}

async function measure(http2: (typeof MODES)[number], upstream: Upstream, ca: string) {
  const config: GatewayConfig = {
    schema: 'unused',
    server: { port: 0, production: true, dedupe: false },
    sources: {
      upstream: {
        url: upstream.url,
        http2,
        tls: { ca: { env: 'BENCH_UPSTREAM_CA' } },
        cache: { enabled: false, coalesce: false },
        connections: 100,
        maxQueued: 10_000,
      },
    },
    limits: { upstreamCallsPerOperation: 1_000 },
    observability: { metrics: { enabled: false } },
  };
  const graph = {
    files: [
      {
        name: 'posts.graphql',
        body: `type User { id: ID!, name: String! }
type Post { id: ID!, title: String!, userId: ID!, user: User @rest(source: "upstream", path: "/users/{$parent.userId}") }
type Query { post(id: ID!): Post @rest(source: "upstream", path: "/posts/{$args.id}") }`,
      },
    ],
  };
  const env = { BENCH_UPSTREAM_CA: ca };
  const gateway = createGateway(config, { env, logger: createLogger({ level: 'silent' }), graph });
  const running = await listen(gateway, resolveConfig(config, env));
  upstream.reset();
  let next = 0;
  try {
    const result = await autocannon({
      url: `${running.url}/graphql`,
      connections: CONNECTIONS,
      duration: SECONDS,
      requests: [
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          setupRequest: (request) => ({
            ...request,
            body: JSON.stringify({
              query: 'query ($id: ID!) { post(id: $id) { title user { name } } }',
              variables: { id: String(next++) },
            }),
          }),
        },
      ],
    });
    return { rps: result.requests.average, errors: result.errors + result.non2xx, ...upstream.reset() };
  } finally {
    await running.shutdown();
  }
}

/** A self-signed certificate for 127.0.0.1, made with openssl in a temporary folder. */
function selfSigned(): { cert: string; key: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'graftql-bench-h2-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'key.pem',
      '-out',
      'cert.pem',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { cwd: dir, stdio: 'pipe' },
  );
  return {
    cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
