/**
 * Callers identified by verified JWTs, end to end: a local JWKS server
 * (its keys rotated by the test), tokens signed by the test with jose, a
 * real gateway over a real service that counts its calls. Every refusal
 * makes no upstream call; no token ever reaches a log line.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
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
  orders: [Order!] @requiresScopes(scopes: [["orders:read"], ["admin"]]) @rest(source: "api", path: "/orders")
  vault: Vault @rest(source: "api", path: "/vault")
  customerOrders(customerId: ID!, first: Int, after: String): OrderConnection
    @policy(allow: "$jwt.sub == $args.customerId")
    @rest(source: "api", path: "/customers/{$args.customerId}/orders", paginate: { style: OFFSET, items: "items", total: "total" })
  invoices: [Invoice!]! @authenticated @rest(source: "api", path: "/invoices")
  whoAmI: String @rest(source: "relay", path: "/whoami", answer: TEXT)
}
type Profile { id: ID! name: String! }
type Order { id: ID! }
type Vault @authenticated { secret: String! }
type Invoice { id: ID! owner: String! amount: Float @policy(allow: "$jwt.sub == $parent.owner") }
`;

let service: Server;
let jwks: Server;
let gateway: RunningGateway;
let calls: string[] = [];
/** The headers of each call the service got, in order. */
let seen: IncomingHttpHeaders[] = [];
const logs: string[] = [];
const clock = manualClock(Date.UTC(2026, 11, 7, 12));
let keys: Array<{ kid: string; privateKey: CryptoKey; jwk: JWK }> = [];
let jwksUp = true;
let jwksFetches = 0;
const started: RunningGateway[] = [];

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

const ask = (query: string, bearer?: string, on = gateway) =>
  postGraphQL(`${on.url}/graphql`, { query }, bearer === undefined ? {} : { authorization: `Bearer ${bearer}` });

const port = (server: Server) => (server.address() as AddressInfo).port;
const listening = (server: Server) => new Promise<void>((done) => server.listen(0, '127.0.0.1', done));

/** A gateway over the service, its callers verified by `jwksUrl` (the test's JWKS by default); `auth` and `extra` add to the config. */
async function startGateway(
  {
    auth = {},
    sources = {},
    ...extra
  }: Omit<Partial<GatewayConfig>, 'auth'> & { auth?: Partial<NonNullable<GatewayConfig['auth']>> } = {},
  { jwksUrl = `http://127.0.0.1:${port(jwks)}/jwks.json`, lines = logs } = {},
): Promise<RunningGateway> {
  const url = `http://127.0.0.1:${port(service)}`;
  const config: GatewayConfig = {
    server: { port: 0 },
    auth: { ...auth, jwt: { issuers: [{ issuer: ISSUER, audience: AUDIENCE, jwksUrl }] } },
    sources: {
      api: { url, cache: { enabled: false } },
      relay: { url, cache: { enabled: false } },
      ...sources,
    },
    ...extra,
  };
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const served = createGateway(config, {
    env: {},
    logger: createLogger({ level: 'debug', destination }),
    graph: { files: [{ name: 'auth.graphql', body: SDL }] },
    now: clock.now,
  });
  const running = await listen(served, resolveConfig(config, {}));
  started.push(running);
  return running;
}

function answer(path: string, headers: IncomingHttpHeaders): unknown {
  if (path === '/whoami') return headers.authorization ?? 'nobody';
  const profile = /^\/profiles\/(.+)$/.exec(path)?.[1];
  if (profile) return { id: decodeURIComponent(profile), name: `Name of ${decodeURIComponent(profile)}` };
  const customer = /^\/customers\/([^/]+)\/orders/.exec(path)?.[1];
  if (customer) return { items: [{ id: `${customer}-o1` }, { id: `${customer}-o2` }], total: 2 };
  if (path === '/invoices')
    return [
      { id: 'i1', owner: 'ada', amount: 10 },
      { id: 'i2', owner: 'bob', amount: 20 },
    ];
  return path === '/orders' ? [{ id: 'o1' }] : { secret: 's' };
}

beforeAll(async () => {
  keys = [await newKey('k1')];
  service = createServer((req, res) => {
    calls.push(req.url ?? '');
    seen.push(req.headers);
    const path = req.url ?? '';
    if (path === '/weather') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('sunny');
    const body = answer(path, req.headers);
    if (typeof body === 'string') return void res.writeHead(200, { 'content-type': 'text/plain' }).end(body);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  jwks = createServer((_req, res) => {
    jwksFetches++;
    if (!jwksUp) return void res.writeHead(503).end();
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ keys: keys.map((key) => key.jwk) }));
  });
  await Promise.all([service, jwks].map(listening));
  gateway = await startGateway();
});
afterAll(async () => {
  await Promise.all(started.map((running) => running.shutdown()));
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
  it('never gives one subject an answer fetched for another: 1,000 requests of two, interleaved, shared executions and result cache on', async () => {
    const tokens = { ada: await token({ sub: 'ada' }), bob: await token({ sub: 'bob' }) };
    const crossed: string[] = [];
    // 50 at a time: enough in flight together for executions to be shared, few enough for a busy machine.
    for (let round = 0; round < 20; round++)
      await Promise.all(
        Array.from({ length: 50 }, (_, index) => (index % 2 === 0 ? 'ada' : 'bob')).map(async (who) => {
          const { body } = await ask('{ me { id } }', tokens[who as 'ada' | 'bob']);
          if ((body.data?.me as { id?: string } | undefined)?.id !== who)
            crossed.push(`${who}: ${JSON.stringify(body)}`);
        }),
      );
    expect(crossed).toEqual([]);
  });

  it('writes no token into any log line', async () => {
    const secret = await token({ sub: 'logged' });
    await ask('{ me { id } }', secret);
    await ask('{ me { id } }', `${secret.slice(0, -3)}xyz`);
    expect(logs.some((line) => line.includes(secret.split('.')[2] ?? secret))).toBe(false);
    expect(logs.some((line) => line.includes(secret.split('.')[1] ?? secret))).toBe(false);
  });
});

describe('claim policies', () => {
  it('lets a caller page through only its own orders: another customer id is 403 before any call', async () => {
    const ada = await token({ sub: 'ada' });
    const own = await ask('{ customerOrders(customerId: "ada", first: 1) { edges { node { id } } totalCount } }', ada);
    expect(own.body.data).toEqual({ customerOrders: { edges: [{ node: { id: 'ada-o1' } }], totalCount: 2 } });
    calls = [];
    const theirs = await postGraphQL(
      `${gateway.url}/graphql`,
      { query: 'query ($who: ID!) { customerOrders(customerId: $who) { totalCount } }', variables: { who: 'bob' } },
      { authorization: `Bearer ${ada}` },
    );
    expect(theirs.status).toBe(403);
    expect(theirs.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'policy' });
    expect(calls).toEqual([]);
  });

  it("nulls, in each object that is not the caller's, a field whose policy reads its parent", async () => {
    const { body } = await ask('{ invoices { id amount } }', await token({ sub: 'ada' }));
    expect(body.data).toEqual({
      invoices: [
        { id: 'i1', amount: 10 },
        { id: 'i2', amount: null },
      ],
    });
    expect(body.errors).toMatchObject([
      { path: ['invoices', 1, 'amount'], extensions: { code: 'FORBIDDEN', reason: 'policy' } },
    ]);
  });
});

describe('where a token may come from', () => {
  it('never from the URL: access_token in the query string is refused, whatever else the request carries', async () => {
    calls = [];
    const valid = await token();
    for (const url of [`${gateway.url}/graphql?access_token=${valid}`, `${gateway.url}/graphql?x=1&access_token=a`]) {
      const answer = await postGraphQL(url, { query: '{ weather }' }, { authorization: `Bearer ${valid}` });
      expect(answer.status).toBe(401);
      expect(answer.body.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'token-in-url' });
    }
    const get = await fetch(`${gateway.url}/graphql?query=${encodeURIComponent('{ weather }')}&access_token=${valid}`, {
      headers: { 'graphql-require-preflight': '1' },
    });
    expect(get.status).toBe(401);
    expect(await get.json()).toMatchObject({ errors: [{ extensions: { reason: 'token-in-url' } }] });
    expect(calls).toEqual([]);
  });

  it('from a cookie the config names, among other cookies', async () => {
    const cookieGateway = await startGateway({ auth: { tokenFrom: { cookie: 'session' } } });
    const valid = await token({ sub: 'cookie-eater' });
    const ask = (cookie?: string) =>
      postGraphQL(`${cookieGateway.url}/graphql`, { query: '{ me { id } }' }, cookie ? { cookie } : {});
    expect((await ask(`theme=dark; session=${valid}; lang=en`)).body.data).toEqual({ me: { id: 'cookie-eater' } });
    expect((await ask('theme=dark')).body.errors?.[0]?.extensions).toMatchObject({ reason: 'missing' });
    expect((await ask('session=not a token')).body.errors?.[0]?.extensions).toMatchObject({ reason: 'malformed' });
  });
});

describe('what a source is sent of the caller', () => {
  it('a claim as a header, or the token itself, per source; nothing for an anonymous caller', async () => {
    const forwarding = await startGateway({
      sources: {
        api: {
          url: `http://127.0.0.1:${port(service)}`,
          cache: { enabled: false },
          forwardCaller: { header: 'x-user', claim: 'sub' },
        },
        relay: {
          url: `http://127.0.0.1:${port(service)}`,
          cache: { enabled: false },
          forwardCaller: { header: 'authorization' },
        },
      },
    });
    const valid = await token({ sub: 'ada' });
    seen = [];
    const { body } = await ask('{ whoAmI me { id } }', valid, forwarding);
    expect(body.data).toEqual({ whoAmI: `Bearer ${valid}`, me: { id: 'ada' } });
    expect(seen.find((headers) => headers['x-user'])?.['x-user']).toBe('ada');
    // A claim with a line break cannot be a header value: it is not sent, and the call is made.
    seen = [];
    const crafted = await token({ sub: 'ada\r\nx-admin: 1' });
    expect((await ask('{ weather }', crafted, forwarding)).body.data).toEqual({ weather: 'sunny' });
    expect(seen.map((headers) => [headers['x-user'], headers['x-admin']])).toEqual([[undefined, undefined]]);
    seen = [];
    expect((await ask('{ whoAmI }', undefined, forwarding)).body.data).toEqual({ whoAmI: 'nobody' });
    expect(seen.map((headers) => headers['x-user'] ?? headers.authorization)).toEqual([undefined]);
  });
});

describe('fields the caller may not read, nulled instead of refused (unauthorized: null)', () => {
  it('runs the rest of the operation and makes no call for the refused fields', async () => {
    const partial = await startGateway({ auth: { unauthorized: 'null' } });
    calls = [];
    const anonymous = await ask('{ weather me { id } }', undefined, partial);
    expect(anonymous.status).toBe(200);
    expect(anonymous.body.data).toEqual({ weather: 'sunny', me: null });
    expect(anonymous.body.errors).toMatchObject([{ path: ['me'], extensions: { code: 'UNAUTHENTICATED' } }]);
    expect(calls).toEqual(['/weather']);
    calls = [];
    const { body } = await ask(
      '{ weather orders { id } customerOrders(customerId: "bob") { totalCount } }',
      await token({ sub: 'ada', scope: 'profile' }),
      partial,
    );
    expect(body.data).toEqual({ weather: 'sunny', orders: null, customerOrders: null });
    expect(body.errors?.map((error) => [error.path?.join('.'), error.extensions.reason]).sort()).toEqual([
      ['customerOrders', 'policy'],
      ['orders', 'missing-scopes'],
    ]);
    expect(calls).toEqual(['/weather']);
  });
});

describe('the verified subject in limits and logs', () => {
  it('counts the client rate limit per subject: one caller over its burst leaves another untouched', async () => {
    const lines: string[] = [];
    const limited = await startGateway(
      { limits: { clientRateLimit: { requestsPerSecond: 0.001, burst: 2, by: 'subject' } } },
      { lines },
    );
    const ada = await token({ sub: 'ada' });
    const statuses = [];
    for (let index = 0; index < 3; index++) statuses.push((await ask('{ weather }', ada, limited)).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect((await ask('{ weather }', await token({ sub: 'bob' }), limited)).status).toBe(200);
    const requests = lines.map((line) => JSON.parse(line)).filter((line) => line.msg === 'request');
    expect(requests.map((line) => line.subject)).toEqual(['ada', 'ada', 'ada', 'bob']);
    // A token that does not verify cost a signature check: it counts against its address, so forging many is limited too.
    const forged = `${(await token({ sub: 'mallory' })).slice(0, -4)}AAAA`;
    const refusals = [];
    for (let index = 0; index < 3; index++) refusals.push((await ask('{ weather }', forged, limited)).status);
    expect(refusals).toEqual([401, 401, 429]);
  });
});

describe("an issuer's public keys given in the config", () => {
  it('refuses to start, naming each key that cannot be read or is not a public key', () => {
    const config: GatewayConfig = {
      auth: {
        jwt: { issuers: [{ issuer: ISSUER, keys: [{ file: 'no-such-key.pem' }, { env: 'ISSUER_KEY' }] }] },
      },
      sources: { api: { url: 'http://127.0.0.1:9' }, relay: { url: 'http://127.0.0.1:9' } },
    };
    expect(() =>
      createGateway(config, {
        env: { ISSUER_KEY: 'not a key' },
        baseDir: '/nonexistent',
        logger: createLogger({ level: 'silent' }),
        graph: { files: [{ name: 'auth.graphql', body: SDL }] },
      }),
    ).toThrow(
      /auth\.jwt\.issuers\.0\.keys\.0: cannot read no-such-key\.pem \(ENOENT\)\n {2}- auth\.jwt\.issuers\.0\.keys\.1: not a PEM public key/,
    );
  });
});

describe('an issuer whose JWKS host is down from the start', () => {
  it('refuses its tokens at once with keys-unavailable, then verifies them once the host is back', async () => {
    let up = false;
    const late = createServer((_req, res) => {
      if (!up) return void res.writeHead(503).end();
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ keys: keys.map((key) => key.jwk) }));
    });
    await listening(late);
    try {
      const waiting = await startGateway({}, { jwksUrl: `http://127.0.0.1:${port(late)}/jwks.json` });
      const valid = await token({ sub: 'patient' });
      calls = [];
      const refused = await ask('{ me { id } }', valid, waiting);
      expect(refused.status).toBe(401);
      expect(refused.body.errors?.[0]?.extensions).toMatchObject({
        code: 'UNAUTHENTICATED',
        reason: 'keys-unavailable',
      });
      expect(calls).toEqual([]);
      up = true;
      clock.advance(31_000);
      expect((await ask('{ me { id } }', valid, waiting)).body.data).toEqual({ me: { id: 'patient' } });
    } finally {
      await new Promise((done) => late.close(done));
    }
  });
});
