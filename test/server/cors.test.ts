/**
 * Cross-origin access, the same on every transport (the direct JSON transport, Yoga's
 * GET and preflight answers): in production no page of another origin may
 * read answers unless its origin is listed, and only listed origins get
 * credentials; in development any origin may read, without credentials.
 */
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { resolveConfig } from '../../src/config/resolve-config.ts';
import { checkGraph } from '../../src/server/check.ts';
import { type Backends, startBackends } from '../helpers/backends.ts';
import { configFor, startGateway, type TestGateway } from '../helpers/gateway.ts';

let backends: Backends;
let production: TestGateway;
let listed: TestGateway;
let development: TestGateway;

beforeAll(async () => {
  backends = await startBackends();
  [production, listed, development] = await Promise.all([
    startGateway(backends, { server: { production: true } }),
    startGateway(backends, {
      server: { production: true, cors: { origins: ['https://app.example'], credentials: true } },
    }),
    startGateway(backends),
  ]);
});
afterAll(async () => {
  await Promise.all([production.close(), listed.close(), development.close()]);
  await backends.close();
});

const EVIL = 'https://evil.example';
type Transport = 'json POST' | 'GET' | 'preflight';
/** The CORS headers an answer through each transport carries for `origin`. */
async function corsOf(
  gateway: TestGateway,
  transport: Transport,
  origin: string,
): Promise<Record<string, string | null>> {
  const url = `${gateway.url}/graphql`;
  const response =
    transport === 'json POST'
      ? await fetch(url, {
          method: 'POST',
          headers: { origin, 'content-type': 'application/json' },
          body: JSON.stringify({ query: '{ __typename }' }),
        })
      : transport === 'GET'
        ? await fetch(`${url}?query=${encodeURIComponent('{ __typename }')}`, {
            headers: { origin, 'graphql-require-preflight': '1' },
          })
        : await fetch(url, {
            method: 'OPTIONS',
            headers: {
              origin,
              'access-control-request-method': 'POST',
              'access-control-request-headers': 'content-type, authorization',
            },
          });
  await response.arrayBuffer();
  return {
    allowOrigin: response.headers.get('access-control-allow-origin'),
    credentials: response.headers.get('access-control-allow-credentials'),
  };
}

const transports: Transport[] = ['json POST', 'GET', 'preflight'];

describe('CORS', () => {
  it.each(transports)('production without a list: another origin gets no CORS header (%s)', async (transport) => {
    expect(await corsOf(production, transport, EVIL)).toEqual({ allowOrigin: null, credentials: null });
  });

  it.each(transports)(
    'production with a list: a listed origin gets itself and credentials; another none (%s)',
    async (transport) => {
      expect(await corsOf(listed, transport, 'https://app.example')).toEqual({
        allowOrigin: 'https://app.example',
        credentials: 'true',
      });
      expect(await corsOf(listed, transport, EVIL)).toEqual({ allowOrigin: null, credentials: null });
    },
  );

  it.each(transports)('development: any origin may read, never with credentials (%s)', async (transport) => {
    expect(await corsOf(development, transport, EVIL)).toEqual({ allowOrigin: '*', credentials: null });
  });

  it('a preflight names the methods and the headers asked for, and how long to keep them', async () => {
    const response = await fetch(`${listed.url}/graphql`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    });
    expect(response.status).toBe(204);
    expect(Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-')))).toEqual({
      'access-control-allow-origin': 'https://app.example',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-allow-headers': 'content-type, authorization',
      'access-control-max-age': '600',
    });
  });

  it("lets a listed origin upgrade to a WebSocket from another origin; '*' lets no other origin", async () => {
    const upgrade = (gateway: TestGateway, origin: string) =>
      new Promise<number>((resolve, reject) => {
        const socket = new WebSocket(`${gateway.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', {
          headers: { origin },
        });
        socket.once('unexpected-response', (_request, response: IncomingMessage) => resolve(response.statusCode ?? 0));
        socket.once('open', () => {
          socket.close();
          resolve(101);
        });
        socket.once('error', reject);
      });
    expect(await upgrade(listed, 'https://app.example')).toBe(101);
    expect(await upgrade(listed, EVIL)).toBe(403);
    expect(await upgrade(development, EVIL)).toBe(403);
  });

  it("refuses credentials for '*', and graftql check warns of '*' in production", () => {
    expect(() => resolveConfig({ sources: {}, server: { cors: { origins: ['*'], credentials: true } } }, {})).toThrow(
      /server\.cors: credentials cannot be given to '\*'/,
    );
    expect(() =>
      resolveConfig({ sources: {}, server: { cors: { origins: ['https://app.example/path'] } } }, {}),
    ).toThrow(/server\.cors\.origins\.0/);
    const wildcard = checkGraph(
      { ...configFor(), server: { production: true, cors: { origins: ['*'] } } },
      { baseDir: process.cwd(), file: 'graftql.config.ts', env: backends.env },
    );
    expect(wildcard.ok).toBe(true);
    expect(wildcard.text).toMatch(/server\.cors\.origins has '\*' in production/);
    expect(
      checkGraph(configFor(), { baseDir: process.cwd(), file: 'graftql.config.ts', env: backends.env }).text,
    ).not.toMatch(/server\.cors/);
  });
});
