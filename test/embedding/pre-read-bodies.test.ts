/**
 * When a framework reads the body before the gateway: behind express.json()
 * or express.text() the gateway takes req.body (and still applies its own
 * limits); a body read and thrown away is refused at once, never waited for;
 * mounted under a prefix, the configured paths include it.
 */
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, type Gateway, type GatewayConfig } from '../../src/index.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { type Backends, seed, startBackends } from '../helpers/backends.ts';
import { configFor, postGraphQL } from '../helpers/gateway.ts';

let backends: Backends;
const gateways: Gateway[] = [];
const closers: Array<() => void> = [];

beforeAll(async () => {
  backends = await startBackends();
});
afterAll(async () => {
  for (const close of closers) close();
  await Promise.all(gateways.map((gateway) => gateway.dispose()));
  await backends.close();
});

function gatewayWith(server: GatewayConfig['server'] = {}): Gateway {
  const config = configFor({ limits: { maxBodyBytes: 4_096 } });
  const gateway = createGateway(
    { ...config, server: { ...config.server, ...server } },
    { env: backends.env, logger: createLogger({ level: 'silent' }) },
  );
  gateways.push(gateway);
  return gateway;
}

async function serve(app: Express): Promise<string> {
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  closers.push(() => server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const userQuery = { query: '{ user(id: "User:4") { name } }' };
const user = { user: { name: seed.users[3]!.name } };

describe('a body read before the gateway', () => {
  it('behind express.json(): answers from req.body', async () => {
    const app = express();
    app.use(express.json());
    app.use(gatewayWith().listener);
    const url = await serve(app);
    expect((await postGraphQL(`${url}/graphql`, userQuery)).body.data).toEqual(user);
  });

  it('behind express.text(): parses req.body itself, with its own size limit', async () => {
    const app = express();
    app.use(express.text({ type: '*/*', limit: '1mb' }));
    app.use(gatewayWith().listener);
    const url = await serve(app);
    expect((await postGraphQL(`${url}/graphql`, userQuery)).body.data).toEqual(user);
    const large = await postGraphQL(`${url}/graphql`, { query: `{ __typename } # ${'x'.repeat(8_000)}` });
    expect([large.status, large.body.errors?.[0]?.extensions.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });

  it('read and not kept: refused at once with a code naming the cause', async () => {
    const app = express();
    app.use((req, _res, next) => {
      req.resume(); // reads the body and throws it away
      req.once('end', () => next());
    });
    app.use(gatewayWith().listener);
    const url = await serve(app);
    const answer = await postGraphQL(`${url}/graphql`, userQuery);
    expect(answer.status).toBe(500);
    expect(answer.body.errors?.[0]).toMatchObject({
      message: expect.stringContaining('read the request body before GraphQL could'),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });
});

describe('mounted under a prefix', () => {
  it('serves the configured paths, on the fast transport and through Yoga alike', async () => {
    const app = express();
    app.use('/bff', gatewayWith({ paths: { graphql: '/bff/graphql', health: '/bff/healthz' } }).listener);
    app.get('/bff/other', (_req, res) => {
      res.send('other');
    });
    const url = await serve(app);
    expect((await postGraphQL(`${url}/bff/graphql`, userQuery)).body.data).toEqual(user);
    const get = await fetch(`${url}/bff/graphql?query=${encodeURIComponent(userQuery.query)}`, {
      headers: { 'graphql-require-preflight': '1' },
    });
    expect(await get.json()).toEqual({ data: user });
    expect((await fetch(`${url}/bff/healthz`)).status).toBe(200);
    expect(await (await fetch(`${url}/bff/other`)).text()).toBe('other');
    expect((await fetch(`${url}/graphql`)).status).toBe(404);
  });
});
