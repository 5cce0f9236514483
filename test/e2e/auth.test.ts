/**
 * Callers identified by verified JWTs, end to end: a local JWKS server
 * (its keys rotated by the test), tokens signed by the test with jose, a
 * real gateway over a real service that counts its calls. Every refusal
 * makes no upstream call; no token ever reaches a log line.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/config/config-schema.ts';
import { resolveConfig } from '../../src/config/resolve-config.ts';
import { createGateway } from '../../src/server/create-gateway.ts';
import { listen, type RunningGateway } from '../../src/server/listen.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { postGraphQL } from '../helpers/gateway.ts';
import { manualClock } from '../helpers/time.ts';

const ISSUER = 'https://issuer.test/';
const AUDIENCE = 'graftql-test';

const SDL = /* GraphQL */ `
type Query {
  weather: String @rest(source: "api", path: "/weather", answer: TEXT)
  me: Profile @authenticated @rest(source: "api", path: "/profiles/{$jwt.sub}")
  orders: [Order!]! @requiresScopes(scopes: [["orders:read"], ["admin"]]) @rest(source: "api", path: "/orders")
  vault: Vault @rest(source: "api", path: "/vault")
}
type Profile { id: ID! name: String! }
type Order { id: ID! }
type Vault @authenticated { secret: String! }
`;

let service: Server;
let jwks: Server;
let gateway: RunningGateway;
let calls: string[] = [];
const logs: string[] = [];
const clock = manualClock(Date.UTC(2026, 11, 7, 12));
let keys: Array<{ kid: string; privateKey: CryptoKey; jwk: JWK }> = [];
let jwksUp = true;
let jwksFetches = 0;

async function newKey(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

async function token(
  claims: Record<string, unknown> = {},
  { kid = keys[0]?.kid, key = keys[0]?.privateKey, expiresIn = 600, issuer = ISSUER, audience = AUDIENCE } = {},
) {
  const seconds = Math.floor(clock.now() / 1000);
  return new SignJWT({ sub: 'user-1', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid })
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt(seconds)
    .setExpirationTime(seconds + expiresIn)
    .sign(key as CryptoKey);
}

const ask = (query: string, bearer?: string) =>
  postGraphQL(`${gateway.url}/graphql`, { query }, bearer === undefined ? {} : { authorization: `Bearer ${bearer}` });

beforeAll(async () => {
  keys = [await newKey('k1')];
  service = createServer((req, res) => {
    calls.push(req.url ?? '');
    const path = req.url ?? '';
    if (path === '/weather') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('sunny');
    const profile = /^\/profiles\/(.+)$/.exec(path)?.[1];
    const id = profile && decodeURIComponent(profile);
    const body = id ? { id, name: `Name of ${id}` } : path === '/orders' ? [{ id: 'o1' }] : { secret: 's' };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  jwks = createServer((_req, res) => {
    jwksFetches++;
    if (!jwksUp) return void res.writeHead(503).end();
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ keys: keys.map((key) => key.jwk) }));
  });
  await Promise.all([service, jwks].map((server) => new Promise<void>((done) => server.listen(0, '127.0.0.1', done))));
  const port = (server: Server) => (server.address() as AddressInfo).port;
  const config: GatewayConfig = {
    server: { port: 0 },
    auth: {
      jwt: { issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwksUrl: `http://127.0.0.1:${port(jwks)}/jwks.json` }] },
    },
    sources: { api: { url: `http://127.0.0.1:${port(service)}`, cache: { enabled: false } } },
  };
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger({ level: 'debug', destination });
  const served = createGateway(config, {
    env: {},
    logger,
    graph: { files: [{ name: 'auth.graphql', body: SDL }] },
    now: clock.now,
  });
  gateway = await listen(served, resolveConfig(config, {}));
});
afterAll(async () => {
  await gateway?.shutdown();
  await Promise.all([service, jwks].map((server) => new Promise((done) => server.close(done))));
});

describe('fields that say who may read them', () => {
  it('answers an anonymous caller what needs no token, and refuses what does with 401 before any call', async () => {
    expect((await ask('{ weather }')).body).toEqual({ data: { weather: 'sunny' } });
    calls = [];
    for (const query of ['{ me { name } }', '{ vault { secret } }', '{ weather me { name } }']) {
      const answer = await ask(query);
      expect(answer.status).toBe(401);
      expect(answer.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'missing' });
    }
    expect(calls).toEqual([]);
  });

  it('reads the verified subject into the upstream path ($jwt.sub)', async () => {
    const answer = await ask('{ me { id name } }', await token({ sub: 'ada/../admin' }));
    expect(answer.body).toEqual({ data: { me: { id: 'ada/../admin', name: 'Name of ada/../admin' } } });
    // The claim is one encoded path segment, as an argument would be.
    expect(calls.at(-1)).toBe('/profiles/ada%2F..%2Fadmin');
  });

  it('holds scopes as an OR of ANDs: orders:read or admin; neither is 403 before any call', async () => {
    expect((await ask('{ orders { id } }', await token({ scope: 'orders:read profile' }))).body.data).toEqual({
      orders: [{ id: 'o1' }],
    });
    expect((await ask('{ orders { id } }', await token({ scp: ['admin'] }))).body.data).toEqual({
      orders: [{ id: 'o1' }],
    });
    calls = [];
    const refused = await ask('{ orders { id } }', await token({ scope: 'profile' }));
    expect(refused.status).toBe(403);
    expect(refused.body.errors?.[0]).toMatchObject({
      message: 'Query.orders needs the scopes orders:read, or admin.',
      extensions: { code: 'FORBIDDEN', reason: 'missing-scopes' },
    });
    expect(calls).toEqual([]);
  });
});

describe('tokens that are not accepted, each with its reason and no upstream call', () => {
  it.each([
    ['expired', () => token({}, { expiresIn: -120 })],
    ['wrong-issuer', () => token({}, { issuer: 'https://elsewhere.test/' })],
    ['wrong-audience', () => token({}, { audience: 'another-api' })],
    ['malformed', async () => 'not.a.jwt'],
    ['too-large', async () => `${await token()}${'A'.repeat(9 * 1024)}`],
    ['bad-signature', async () => `${(await token()).slice(0, -4)}AAAA`],
    [
      'bad-algorithm',
      async () =>
        `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: 'x', exp: Math.floor(clock.now() / 1000) + 60 })).toString('base64url')}.`,
    ],
  ])('%s', async (reason, make) => {
    calls = [];
    const answer = await ask('{ weather me { name } }', await make());
    expect(answer.status).toBe(401);
    expect(answer.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason });
    expect(calls).toEqual([]);
  });

  it('a 64 KB token is refused by the HTTP server itself (431), before the gateway reads it', async () => {
    calls = [];
    const answer = await ask('{ weather }', `${await token()}${'A'.repeat(64 * 1024)}`);
    expect(answer.status).toBe(431);
    expect(calls).toEqual([]);
  });

  it('a token that never expires (no exp)', async () => {
    const forever = await new SignJWT({ sub: 'u' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .sign(keys[0]?.privateKey as CryptoKey);
    expect((await ask('{ me { name } }', forever)).body.errors?.[0]?.extensions).toMatchObject({ reason: 'no-expiry' });
  });

  it('not yet valid, beyond the clock skew', async () => {
    const seconds = Math.floor(clock.now() / 1000);
    const early = await new SignJWT({ sub: 'u' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setNotBefore(seconds + 300)
      .setExpirationTime(seconds + 600)
      .sign(keys[0]?.privateKey as CryptoKey);
    expect((await ask('{ me { name } }', early)).body.errors?.[0]?.extensions).toMatchObject({
      reason: 'not-yet-valid',
    });
  });

  it('an HS256 token signed with the issuer public key as its secret (the RS/HS confusion)', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(keys[0]?.jwk));
    const forged = await new SignJWT({ sub: 'attacker' })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime(Math.floor(clock.now() / 1000) + 60)
      .sign(secret);
    expect((await ask('{ me { name } }', forged)).body.errors?.[0]?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      reason: 'bad-algorithm',
    });
  });
});

describe("the issuer's keys", () => {
  it('a token of a key the set does not have yet verifies once the JWKS has it (rotation), fetched at most once per cooldown', async () => {
    const rotated = await newKey('k2');
    const early = await token({ sub: 'rot' }, { kid: 'k2', key: rotated.privateKey });
    expect((await ask('{ me { id } }', early)).body.errors?.[0]?.extensions).toMatchObject({ reason: 'unknown-key' });
    keys = [...keys, rotated];
    clock.advance(31_000);
    const fetched = jwksFetches;
    expect((await ask('{ me { id } }', early)).body.data).toEqual({ me: { id: 'rot' } });
    expect(jwksFetches).toBe(fetched + 1);
  });

  it('keep verifying with the keys in hand while the JWKS host is down; a new key fails coded, at once', async () => {
    jwksUp = false;
    try {
      clock.advance(11 * 60_000);
      const known = await token({ sub: 'still' });
      expect((await ask('{ me { id } }', known)).body.data).toEqual({ me: { id: 'still' } });
      const stranger = await newKey('k9');
      const unknown = await token({ sub: 'x' }, { kid: 'k9', key: stranger.privateKey });
      clock.advance(31_000);
      const refused = await ask('{ me { id } }', unknown);
      expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'unknown-key' });
    } finally {
      jwksUp = true;
    }
  });
});

describe('what is kept per caller', () => {
  it('never gives one subject an answer fetched for another, shared executions and result cache on', async () => {
    const tokens = { ada: await token({ sub: 'ada' }), bob: await token({ sub: 'bob' }) };
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, index) => (index % 2 === 0 ? 'ada' : 'bob')).map(async (who) => ({
        who,
        answer: await ask('{ me { id } }', tokens[who as 'ada' | 'bob']),
      })),
    );
    for (const { who, answer } of answers) expect(answer.body.data).toEqual({ me: { id: who } });
  });

  it('writes no token into any log line', async () => {
    const secret = await token({ sub: 'logged' });
    await ask('{ me { id } }', secret);
    await ask('{ me { id } }', `${secret.slice(0, -3)}xyz`);
    expect(logs.some((line) => line.includes(secret.split('.')[2] ?? secret))).toBe(false);
    expect(logs.some((line) => line.includes(secret.split('.')[1] ?? secret))).toBe(false);
  });
});
