/**
 * Sources that want a login first, against a real local service that
 * issues sessions (cookies, or a token in its answer) and ends them: one
 * login for any number of calls that find their session ended, a bounded
 * number of logins when the login itself fails, and the credentials never
 * in an answer.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/config/config-schema.ts';
import { resolveConfig } from '../../src/config/resolve-config.ts';
import { createGateway } from '../../src/server/create-gateway.ts';
import { listen, type RunningGateway } from '../../src/server/listen.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { postGraphQL } from '../helpers/gateway.ts';
import { manualClock } from '../helpers/time.ts';

const USER = 'crm-robot';
const PASSWORD = 'pa55-w0rd-never-shown';

/** A CRM-like service: POST /login (JSON or a form) opens a session; GET /items/:id needs one. */
class SessionService {
  readonly server: Server;
  logins = 0;
  calls = 0;
  /** The login answers this status instead of opening a session. */
  loginFails: number | undefined;
  readonly #sessions = new Set<string>();

  constructor(private readonly style: 'cookie' | 'token') {
    this.server = createServer(async (req, res) => {
      const body = await text(req);
      if (req.method === 'POST' && req.url === '/login') {
        this.logins++;
        const given = req.headers['content-type']?.includes('form')
          ? Object.fromEntries(new URLSearchParams(body))
          : (JSON.parse(body) as Record<string, string>);
        if (this.loginFails) return void res.writeHead(this.loginFails).end();
        if (given.username !== USER || given.password !== PASSWORD) return void res.writeHead(401).end();
        const session = randomUUID();
        this.#sessions.add(session);
        if (this.style === 'cookie')
          return void res
            .writeHead(204, { 'set-cookie': [`sid=${session}; HttpOnly; Path=/; Max-Age=3600`, 'theme=dark; Path=/'] })
            .end();
        return void res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ data: { token: session } }));
      }
      this.calls++;
      const session =
        this.style === 'cookie'
          ? /(?:^|; )sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1]
          : req.headers.authorization?.replace(/^Bearer /, '');
      // A token session that ended answers 419, as Laravel does; a cookie one 401.
      if (!session || !this.#sessions.has(session)) return void res.writeHead(this.style === 'token' ? 419 : 401).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: req.url?.split('/').pop() }));
    });
  }

  endSessions(): void {
    this.#sessions.clear();
  }
}

function text(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => resolve(body));
  });
}

const SDL = 'type Query { item(id: ID!): Item @rest(source: "crm", path: "/items/{$args.id}") } type Item { id: ID! }';
const clock = manualClock();
const services = { cookie: new SessionService('cookie'), token: new SessionService('token') };
const gateways: Partial<Record<'cookie' | 'token', RunningGateway>> = {};

beforeAll(async () => {
  for (const [style, service] of Object.entries(services) as Array<['cookie' | 'token', SessionService]>) {
    await new Promise<void>((done) => service.server.listen(0, '127.0.0.1', done));
    const auth =
      style === 'cookie'
        ? {
            type: 'login' as const,
            path: '/login',
            fields: { username: { env: 'CRM_USER' }, password: { env: 'CRM_PASSWORD' } },
          }
        : {
            type: 'login' as const,
            path: '/login',
            encoding: 'form' as const,
            fields: { username: { env: 'CRM_USER' }, password: { env: 'CRM_PASSWORD' } },
            session: { token: 'data.token' },
          };
    const config: GatewayConfig = {
      server: { port: 0 },
      sources: {
        crm: {
          url: `http://127.0.0.1:${(service.server.address() as AddressInfo).port}`,
          auth,
          cache: { enabled: false },
          retry: { maxAttempts: 1 },
        },
      },
    };
    const env = { CRM_USER: USER, CRM_PASSWORD: PASSWORD };
    const graph = { files: [{ name: 'crm.graphql', body: SDL }] };
    const served = createGateway(config, { env, logger: createLogger({ level: 'silent' }), graph, now: clock.now });
    gateways[style] = await listen(served, resolveConfig(config, env));
  }
});
afterAll(async () => {
  await Promise.all(Object.values(gateways).map((gateway) => gateway?.shutdown()));
  await Promise.all(Object.values(services).map((service) => new Promise((done) => service.server.close(done))));
});

const ask = (style: 'cookie' | 'token', id: string) =>
  postGraphQL(`${gateways[style]?.url}/graphql`, { query: `{ item(id: "${id}") { id } }` });

describe.each(['cookie', 'token'] as const)('a %s session', (style) => {
  const service = services[style];

  it('logs in once, then sends the session with every call', async () => {
    expect((await ask(style, 'a')).body).toEqual({ data: { item: { id: 'a' } } });
    expect((await ask(style, 'b')).body).toEqual({ data: { item: { id: 'b' } } });
    expect(service.logins).toBe(1);
  });

  it('after the session ends, 100 concurrent calls make exactly one login, and all answer', async () => {
    service.endSessions();
    const before = service.logins;
    const answers = await Promise.all(Array.from({ length: 100 }, (_, index) => ask(style, `n${index}`)));
    expect(answers.every((answer) => answer.body.errors === undefined)).toBe(true);
    expect(service.logins).toBe(before + 1);
  });

  it('a login that fails makes bounded attempts: the calls within its backoff fail at once, coded, without a login', async () => {
    service.endSessions();
    service.loginFails = 503;
    try {
      const before = service.logins;
      const first = await ask(style, 'x');
      expect(first.body.errors?.[0]?.extensions).toMatchObject({ source: 'crm', status: 503, reason: 'login-failed' });
      for (let index = 0; index < 20; index++) await ask(style, `y${index}`);
      expect(service.logins).toBe(before + 1);
      clock.advance(1_001);
      await ask(style, 'z');
      expect(service.logins).toBe(before + 2);
      // The backoff doubles: 1 s did not bring another login now.
      clock.advance(1_001);
      await ask(style, 'w');
      expect(service.logins).toBe(before + 2);
      const refusal = JSON.stringify(first.body);
      expect(refusal).not.toContain(PASSWORD);
      expect(refusal).not.toContain(USER);
    } finally {
      service.loginFails = undefined;
      clock.advance(120_000);
    }
    expect((await ask(style, 'back')).body).toEqual({ data: { item: { id: 'back' } } });
  });
});
