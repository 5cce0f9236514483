/**
 * Per-source TLS against real HTTPS services on 127.0.0.1, with certificates
 * made by openssl for this run: a private CA, mTLS, and the failures a
 * person must be able to act on (unknown CA, expired, wrong host name,
 * client certificate refused), each its own reason, never retried, counted
 * by the breaker; verification never off in production; config mistakes
 * named by their path.
 */
import { createServer, type Server, type ServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
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
const servers: Server[] = [];
beforeAll(() => {
  certs = makeCertificates();
});
afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  certs.remove();
});

interface HttpsService {
  url: string;
  /** TCP connections accepted: one per attempt. */
  connections(): number;
}

async function startHttps(options: ServerOptions): Promise<HttpsService> {
  const server = createServer(options, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: '1', name: 'internal thing' }));
  });
  let connections = 0;
  server.on('connection', () => (connections += 1));
  server.on('tlsClientError', () => undefined);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections };
}

const graph: Graph = {
  files: [
    {
      name: 'internal.graphql',
      body: 'type Thing { id: ID!, name: String! }\ntype Query { thing: Thing @rest(source: "internal", path: "/things/1") }',
    },
  ],
};

type Source = GatewayConfig['sources'][string];

/** A gateway over one source `internal`; its answer to `{ thing { name } }`, its logs, and its /readyz. */
async function ask(
  source: Partial<Source> & { url: string },
  env: Record<string, string> = {},
  queries = 1,
  { readiness = false } = {},
) {
  const logs: string[] = [];
  const logger = createLogger({
    level: 'warn',
    destination: new Writable({ write: (chunk: Buffer, _e, done) => done(void logs.push(chunk.toString())) }),
  });
  const config: GatewayConfig = {
    schema: 'unused',
    server: { port: 0 },
    sources: { internal: { hedge: { enabled: false }, ...source } },
  };
  const gateway = createGateway(config, { env, logger, graph });
  const running = await listen(gateway, resolveConfig(config, env));
  try {
    const answers = [];
    for (let i = 0; i < queries; i++)
      answers.push(await postGraphQL(`${running.url}/graphql`, { query: '{ thing { name } }' }));
    // Readiness probes the source too: asked for only where a test counts no connections.
    const ready = readiness ? await fetch(`${running.url}/readyz`) : undefined;
    return { answers, answer: answers[0], logs, ready: { status: ready?.status, body: await ready?.text() } };
  } finally {
    await running.shutdown();
  }
}

const tlsError = (answer: Awaited<ReturnType<typeof ask>>['answer']) => answer?.body.errors?.[0]?.extensions;

describe('per-source TLS', () => {
  it('trusts a private CA given to the source, and refuses the same service without it: unknown CA, not retried', async () => {
    const service = await startHttps({ cert: certs.server.cert, key: certs.server.key });
    expect((await ask({ url: service.url, tls: { ca: { file: certs.ca.file } } })).answer?.body).toEqual({
      data: { thing: { name: 'internal thing' } },
    });
    const before = service.connections();
    const refused = await ask({ url: service.url });
    expect(tlsError(refused.answer)).toMatchObject({
      code: 'UPSTREAM_TLS_ERROR',
      source: 'internal',
      reason: 'unknown-ca',
      retryable: false,
    });
    expect(refused.answer?.body.errors?.[0]?.message).toContain('tls.ca');
    expect(service.connections() - before).toBe(1);
    // Another CA is no better than none.
    expect(
      tlsError(
        (await ask({ url: service.url, tls: { ca: { env: 'STRANGER_CA' } } }, { STRANGER_CA: certs.strangerCa.cert }))
          .answer,
      ),
    ).toMatchObject({ reason: 'unknown-ca' });
  });

  it('presents the client certificate an mTLS service requires (key and passphrase from the environment), and says when it is missing', async () => {
    const service = await startHttps({
      cert: certs.server.cert,
      key: certs.server.key,
      ca: certs.ca.cert,
      requestCert: true,
      rejectUnauthorized: true,
    });
    const env = {
      CLIENT_CERT: certs.client.cert,
      CLIENT_KEY: certs.client.encryptedKey,
      CLIENT_KEY_PASSPHRASE: certs.client.passphrase,
    };
    const mtls = {
      ca: { file: certs.ca.file },
      cert: { env: 'CLIENT_CERT' },
      key: { env: 'CLIENT_KEY' },
      passphrase: { env: 'CLIENT_KEY_PASSPHRASE' },
    };
    expect((await ask({ url: service.url, tls: mtls }, env)).answer?.body).toEqual({
      data: { thing: { name: 'internal thing' } },
    });
    const without = await ask({ url: service.url, tls: { ca: { file: certs.ca.file } } });
    expect(tlsError(without.answer)).toMatchObject({
      code: 'UPSTREAM_TLS_ERROR',
      reason: 'client-certificate-refused',
    });
  });

  it('names an expired certificate and one for another host name, without retrying either', async () => {
    const expired = await startHttps({ cert: certs.expired.cert, key: certs.expired.key });
    const other = await startHttps({ cert: certs.otherHost.cert, key: certs.otherHost.key });
    const tls = { ca: { file: certs.ca.file } };
    expect(tlsError((await ask({ url: expired.url, tls })).answer)).toMatchObject({
      code: 'UPSTREAM_TLS_ERROR',
      reason: 'expired',
    });
    expect(tlsError((await ask({ url: other.url, tls })).answer)).toMatchObject({
      code: 'UPSTREAM_TLS_ERROR',
      reason: 'hostname-mismatch',
    });
    expect([expired.connections(), other.connections()]).toEqual([1, 1]);
    // The name it carries, given as tls.servername, is accepted.
    expect((await ask({ url: other.url, tls: { ...tls, servername: 'other.example' } })).answer?.body.data).toEqual({
      thing: { name: 'internal thing' },
    });
  });

  it('names a handshake that fails for another reason: no TLS version both sides accept', async () => {
    const old = await startHttps({ cert: certs.server.cert, key: certs.server.key, maxVersion: 'TLSv1.2' });
    const tls = { ca: { file: certs.ca.file } };
    expect((await ask({ url: old.url, tls })).answer?.body.data).toEqual({ thing: { name: 'internal thing' } });
    expect(tlsError((await ask({ url: old.url, tls: { ...tls, minVersion: 'TLSv1.3' } })).answer)).toMatchObject({
      code: 'UPSTREAM_TLS_ERROR',
      reason: 'handshake-failed',
    });
  });

  it('counts TLS failures towards the circuit breaker', async () => {
    const expired = await startHttps({ cert: certs.expired.cert, key: certs.expired.key });
    const { answers } = await ask(
      { url: expired.url, tls: { ca: { file: certs.ca.file } }, breaker: { minimumCalls: 2, failureRatio: 0.5 } },
      {},
      3,
    );
    expect(answers.map((answer) => tlsError(answer)?.code)).toEqual([
      'UPSTREAM_TLS_ERROR',
      'UPSTREAM_TLS_ERROR',
      'CIRCUIT_OPEN',
    ]);
    expect(expired.connections()).toBe(2);
  });

  it('skips verification only when told, in development, and says so at start-up and on /readyz', async () => {
    const expired = await startHttps({ cert: certs.expired.cert, key: certs.expired.key });
    const skipped = await ask({ url: expired.url, tls: { insecureSkipVerify: true } }, {}, 1, { readiness: true });
    expect(skipped.answer?.body.data).toEqual({ thing: { name: 'internal thing' } });
    expect(skipped.logs.join('')).toContain('sources.internal.tls.insecureSkipVerify: certificate verification is off');
    expect(skipped.ready.status).toBe(200);
    expect(JSON.parse(skipped.ready.body ?? '')).toEqual({
      ready: true,
      warnings: [expect.stringContaining('sources.internal.tls.insecureSkipVerify')],
    });
  });

  it('refuses to start in production with verification off, for a source or for the process', () => {
    const production = { NODE_ENV: 'production' };
    const config = (tls?: Source['tls']): GatewayConfig => ({
      schema: 'unused',
      sources: { internal: { url: 'https://127.0.0.1:1', ...(tls && { tls }) } },
    });
    expect(() => createGateway(config({ insecureSkipVerify: true }), { env: production, graph })).toThrow(
      /sources\.internal\.tls\.insecureSkipVerify: certificate verification cannot be turned off in production/,
    );
    expect(() => createGateway(config(), { env: { ...production, NODE_TLS_REJECT_UNAUTHORIZED: '0' }, graph })).toThrow(
      /NODE_TLS_REJECT_UNAUTHORIZED: is 0/,
    );
  });

  it('names the config path of an unreadable file, a PEM that does not parse, a wrong passphrase, and a key that does not match', () => {
    const start =
      (tls: Source['tls'], env: Record<string, string> = {}) =>
      () =>
        createGateway(
          { schema: 'unused', sources: { internal: { url: 'https://127.0.0.1:1', tls } } },
          { env, graph, logger: createLogger({ level: 'silent' }) },
        );
    expect(start({ ca: { file: 'no/such/ca.pem' } })).toThrow(
      /sources\.internal\.tls\.ca: cannot read no\/such\/ca\.pem \(ENOENT\)/,
    );
    expect(start({ ca: { env: 'CA' } }, { CA: 'not a certificate' })).toThrow(
      /sources\.internal\.tls\.ca: no PEM certificate/,
    );
    expect(
      start({ ca: { env: 'CA' } }, { CA: '-----BEGIN CERTIFICATE-----\nbm90IGRlcg==\n-----END CERTIFICATE-----' }),
    ).toThrow(/sources\.internal\.tls\.ca: a certificate in it does not parse/);
    const client = { cert: { env: 'CERT' }, key: { env: 'KEY' } };
    expect(
      start(
        { ...client, passphrase: { env: 'PASS' } },
        { CERT: certs.client.cert, KEY: certs.client.encryptedKey, PASS: 'wrong' },
      ),
    ).toThrow(/sources\.internal\.tls\.key: not a PEM private key, or the passphrase does not open it/);
    expect(start(client, { CERT: certs.client.cert, KEY: certs.server.key })).toThrow(
      /sources\.internal\.tls\.key: does not match the certificate in sources\.internal\.tls\.cert/,
    );
    expect(start({ cert: { env: 'CERT' } }, { CERT: certs.client.cert })).toThrow(
      /sources\.internal\.tls\.key: cert and key go together/,
    );
  });
});
