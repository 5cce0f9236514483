/**
 * Header parameters of an OpenAPI operation become arguments of its field,
 * sent by `@rest(headers:)`: a real local service that requires its header
 * answers through the imported graph. Headers the gateway or the source's
 * auth sets (Authorization, an API key's header) never become arguments.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.ts';
import { importOpenApi } from '../../src/openapi/import-openapi.ts';
import { createGateway } from '../../src/server/create-gateway.ts';
import { listen, type RunningGateway } from '../../src/server/listen.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { postGraphQL } from '../helpers/gateway.ts';

const DOCUMENT = {
  openapi: '3.1.0',
  info: { title: 'ledger', version: '1' },
  components: { securitySchemes: { key: { type: 'apiKey', in: 'header', name: 'X-Api-Key' } } },
  security: [{ key: [] }],
  paths: {
    '/balance': {
      get: {
        operationId: 'getBalance',
        parameters: [
          { name: 'X-Account', in: 'header', required: true, schema: { type: 'string' } },
          { name: 'X-Api-Key', in: 'header', required: true, schema: { type: 'string' } },
          { name: 'Authorization', in: 'header', schema: { type: 'string' } },
        ],
        responses: {
          '200': {
            description: 'ok',
            content: {
              'application/json': {
                schema: { type: 'object', properties: { account: { type: 'string' }, amount: { type: 'integer' } } },
              },
            },
          },
        },
      },
    },
    '/session': {
      get: {
        parameters: [{ name: 'sid', in: 'cookie', required: true, schema: { type: 'string' } }],
        responses: {
          '200': {
            description: 'ok',
            content: { 'application/json': { schema: { type: 'object', properties: { ok: { type: 'boolean' } } } } },
          },
        },
      },
    },
  },
};

let service: Server;
let gateway: RunningGateway;
const seen: IncomingHttpHeaders[] = [];

beforeAll(async () => {
  service = createServer((req, res) => {
    seen.push(req.headers);
    const account = req.headers['x-account'];
    if (!account || req.headers['x-api-key'] !== 'k') return void res.writeHead(400).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ account, amount: 42 }));
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await gateway?.shutdown();
  await new Promise((resolve) => service.close(resolve));
});

describe('header parameters', () => {
  it('become arguments sent as headers; the auth header and the API key do not; a required cookie still skips', async () => {
    const { sdl, report } = await importOpenApi(DOCUMENT, { source: 'ledger' });
    expect(sdl).toContain('balance(xAccount: String!): Balance');
    expect(sdl).toContain('headers: ["X-Account: $args.xAccount"]');
    expect(sdl).not.toMatch(/xApiKey|authorization:/i);
    expect(report.skipped).toEqual([
      {
        operation: 'GET /session',
        reason: 'it needs the cookie parameter sid, which a field argument cannot carry yet',
      },
    ]);

    const url = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
    const config = {
      server: { port: 0 },
      sources: {
        ledger: { url, auth: { type: 'apiKey', in: 'header', name: 'X-Api-Key', key: { env: 'LEDGER_KEY' } } },
      },
    } as const;
    const env = { LEDGER_KEY: 'k' };
    const graph = { files: [{ name: 'ledger.graphql', body: sdl }] };
    const served = createGateway(config, { env, logger: createLogger({ level: 'silent' } as never), graph });
    gateway = await listen(served, resolveConfig(config, env));
    const answer = await postGraphQL(`${gateway.url}/graphql`, {
      query: '{ balance(xAccount: "acc-7") { account amount } }',
    });
    expect(answer.body).toEqual({ data: { balance: { account: 'acc-7', amount: 42 } } });
    expect(seen.at(-1)?.['x-account']).toBe('acc-7');
    // A line break in a header value is refused before any call.
    const before = seen.length;
    const injected = await postGraphQL(`${gateway.url}/graphql`, {
      query: '{ balance(xAccount: "a\\r\\nX-Evil: 1") { amount } }',
    });
    expect(injected.body.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
    expect(seen.length).toBe(before);
  });
});
