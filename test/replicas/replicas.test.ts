/**
 * Two gateway processes of the example graph behind one Redis behave as one
 * gateway: a read cached by one is served by the other, a write through one
 * drops the other's copy, callers with different tokens never share an
 * answer, and a webhook verified by one reaches the other's subscribers once
 * (a replay to the other is refused). Then Redis goes away and comes back:
 * no request fails, and the fallback and the recovery show in the metrics.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleUserToken } from '../../examples/backends/index.ts';
import exampleConfig from '../../graftql.config.ts';
import type { GatewayConfig } from '../../src/config/config-schema.ts';
import { resolveConfig } from '../../src/config/resolve-config.ts';
import { createGateway } from '../../src/server/create-gateway.ts';
import { listen, type RunningGateway } from '../../src/server/listen.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { type Backends, callsTo, startBackends } from '../helpers/backends.ts';
import { sendEvent, sseClient, take } from '../helpers/events.ts';
import { postGraphQL } from '../helpers/gateway.ts';
import { type GatewayProcess, servingUrl, spawnCli } from '../helpers/process.ts';
import { eventually, forgetPrefix, hasRedisServer, machineRedis, ownRedis, REDIS_URL } from '../helpers/redis.ts';

const sharing = await machineRedis('the tests of replicas sharing Redis');

describe.skipIf(!sharing)('two replicas sharing one Redis', () => {
  const prefix = `graftql-test-${randomUUID()}:`;
  let backends: Backends;
  let replicas: GatewayProcess[] = [];
  let a: string;
  let b: string;

  beforeAll(async () => {
    backends = await startBackends();
    const env = { ...backends.env, REDIS_URL, REDIS_KEY_PREFIX: prefix, PORT: '0', LOG_LEVEL: 'info' };
    replicas = [
      spawnCli(['serve', '--config', 'test/replicas/replica.config.ts'], env),
      spawnCli(['serve', '--config', 'test/replicas/replica.config.ts'], env),
    ];
    // Their base URLs (servingUrl gives the GraphQL endpoint's).
    [a, b] = (await Promise.all(
      replicas.map(async (replica) => (await servingUrl(replica, 30_000)).replace(/\/graphql$/, '')),
    )) as [string, string];
    // Both connected to Redis before the first request (each starts connecting as it starts).
    for (const url of [a, b])
      await eventually(async () => (await metric(url, 'graftql_redis_up')) === 1, `${url} reaches Redis`);
  }, 60_000);
  afterAll(async () => {
    for (const replica of replicas) replica.child.kill('SIGTERM');
    await Promise.all(replicas.map((replica) => replica.exited));
    await backends?.close();
    await forgetPrefix(REDIS_URL, prefix);
  });

  const ask = async (url: string, query: string, headers: Record<string, string> = {}) =>
    (await postGraphQL(`${url}/graphql`, { query }, headers)).body;

  it('answers on B, with no upstream call, a read A cached', async () => {
    const query = '{ user(id: "User:3") { name email } }';
    const fromA = await ask(a, query);
    const calls = backends.accounts.requests.length;
    expect(calls).toBeGreaterThan(0);
    expect(await ask(b, query)).toEqual(fromA);
    expect(backends.accounts.requests.length).toBe(calls);
  });

  it("drops B's cached read when a write goes through A", async () => {
    const read = '{ article(id: "Article:4") { title } }';
    const before = await ask(a, read);
    expect(await ask(b, read)).toEqual(before);
    const reads = callsTo(backends.content.requests, '/articles/4').length;
    const written = await ask(
      a,
      'mutation { updateArticle(id: "Article:4", patch: { title: "Changed through A" }) { title } }',
    );
    expect(written).toEqual({ data: { updateArticle: { title: 'Changed through A' } } });
    await eventually(
      async () =>
        JSON.stringify(await ask(b, read)) === JSON.stringify({ data: { article: { title: 'Changed through A' } } }),
      "B's read shows the write",
    );
    expect(callsTo(backends.content.requests, '/articles/4').length).toBeGreaterThan(reads + 1); // the PATCH, and a read again
  });

  it('answers a read on B right after a write through A with what was written, every time: the invalidation is published before the write is answered', async () => {
    const read = '{ article(id: "Article:5") { title } }';
    let stale = 0;
    for (let i = 0; i < 30; i += 1) {
      await ask(b, read); // B holds the article
      const title = `Written through A, ${i}`;
      expect(
        await ask(a, `mutation { updateArticle(id: "Article:5", patch: { title: "${title}" }) { title } }`),
      ).toEqual({ data: { updateArticle: { title } } });
      const onB = (await ask(b, read)) as { data?: { article?: { title?: string } } };
      if (onB.data?.article?.title !== title) stale += 1;
    }
    expect(stale).toBe(0);
  });

  it('never answers one caller with what another was allowed to see, across replicas (1,000 requests)', async () => {
    const callers = [4, 9].map((id) => ({ id, authorization: `Bearer ${exampleUserToken(id)}` }));
    const names = await Promise.all(
      callers.map(
        async ({ authorization }) =>
          (await ask(a, '{ viewer { name } }', { authorization })) as { data: { viewer: { name: string } } },
      ),
    );
    expect(names[0]?.data.viewer.name).not.toBe(names[1]?.data.viewer.name);
    let crossed = 0;
    let failed = 0;
    for (let batch = 0; batch < 20; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const caller = (batch + i) % 2;
          const body = (await ask(i % 3 === 0 ? a : b, '{ viewer { name } }', {
            authorization: callers[caller]?.authorization ?? '',
          })) as { data?: { viewer?: { name?: string } } };
          return { caller, name: body.data?.viewer?.name };
        }),
      );
      for (const { caller, name } of answers) {
        if (name === undefined) failed += 1;
        else if (name !== names[caller]?.data.viewer.name) crossed += 1;
      }
    }
    expect({ crossed, failed }).toEqual({ crossed: 0, failed: 0 });
  }, 60_000);

  it("paces both replicas together to an upstream's rate limit: no 429, however they share the load", async () => {
    // 20 calls per 2 s window, announced in X-RateLimit-* headers; each request a city of its own (404s are not cached, and count).
    backends.weather.setRateLimit(20, 2_000);
    backends.weather.clearRecords();
    const refused = backends.weather.rateLimited();
    // The first call to a source no replica has heard announce a limit cannot be paced (nothing is known yet): one, alone.
    await ask(a, '{ weather(city: "Nowhere first") { temperature } }');
    const startedAt = Date.now();
    let asked = 0;
    const client = async (n: number) => {
      while (Date.now() - startedAt < 5_000) {
        asked += 1;
        await ask(n % 2 === 0 ? a : b, `{ weather(city: "Nowhere ${n}-${asked}") { temperature } }`);
      }
    };
    await Promise.all(Array.from({ length: 10 }, (_, n) => client(n)));
    const calls = backends.weather.requests.length;
    backends.weather.setRateLimit(600, 60_000);
    expect(backends.weather.rateLimited() - refused).toBe(0);
    // Three windows at most began in the 5 s, and the calls are paced into them, not just refused.
    expect(calls).toBeLessThanOrEqual(20 * 4);
    expect(calls).toBeGreaterThan(20);
  }, 30_000);

  it('delivers a webhook posted to A once to a subscriber on B, and refuses it replayed to B', async () => {
    const subscription = sseClient(b).iterate({ query: 'subscription { articleCreated { id title } }' });
    const first = take(subscription, 1);
    await eventually(async () => (await metric(b, 'graftql_subscriptions')) === 1, 'the subscription on B is open');
    const id = `msg_${randomUUID()}`;
    const article = {
      id: 9_001,
      title: 'Relayed',
      body: 'Text.',
      category: 'news',
      author_id: 1,
      created_at: '2026-11-26T00:00:00Z',
    };
    expect(await sendEvent(a, 'content', 'article.created', article, { id })).toEqual({ status: 204 });
    expect(await first).toEqual([{ data: { articleCreated: { id: 'Article:9001', title: 'Relayed' } } }]);
    expect(await sendEvent(b, 'content', 'article.created', article, { id })).toEqual({
      status: 409,
      code: 'WEBHOOK_REPLAYED',
    });
    // Delivered once: the next event B's subscriber gets is the next one sent, not the replay.
    const next = take(subscription, 1);
    expect(await sendEvent(a, 'content', 'article.created', { ...article, id: 9_002, title: 'Next' })).toEqual({
      status: 204,
    });
    expect(await next).toEqual([{ data: { articleCreated: { id: 'Article:9002', title: 'Next' } } }]);
    await subscription.return?.();
  });
});

describe.skipIf(!hasRedisServer())('Redis going away and coming back', () => {
  let backends: Backends;
  let gateway: RunningGateway;
  let redis: Awaited<ReturnType<typeof ownRedis>>;

  beforeAll(async () => {
    backends = await startBackends();
    redis = await ownRedis();
    const config: GatewayConfig = {
      ...exampleConfig,
      schema: 'schema',
      server: { port: 0 },
      redis: { url: { env: 'OWN_REDIS_URL' }, commandTimeoutMs: 100 },
    };
    const env = { ...backends.env, OWN_REDIS_URL: redis.url };
    gateway = await listen(
      createGateway(config, { env, logger: createLogger({ level: 'silent' }) }),
      resolveConfig(config, env),
    );
    await eventually(async () => (await metric(gateway.url, 'graftql_redis_up')) === 1, 'the gateway reaches Redis');
  });
  afterAll(async () => {
    await gateway?.shutdown();
    await redis?.stop();
    await backends?.close();
  });

  it('answers every request from its own state while Redis is down, and shares again once it is back', async () => {
    const read = (n: number) =>
      postGraphQL(`${gateway.url}/graphql`, { query: `{ article(id: "Article:${n}") { title } }` });
    expect((await read(1)).status).toBe(200);
    await redis.stop();
    const whileDown = await Promise.all(Array.from({ length: 50 }, (_, i) => read((i % 10) + 1)));
    expect(whileDown.map((answer) => [answer.status, answer.body.errors])).toEqual(
      whileDown.map(() => [200, undefined]),
    );
    expect(await metric(gateway.url, 'graftql_redis_up')).toBe(0);
    expect(await metric(gateway.url, 'graftql_redis_fallbacks_total{feature="cache"}')).toBeGreaterThan(0);
    await redis.start();
    await eventually(
      async () => (await metric(gateway.url, 'graftql_redis_up')) === 1,
      'the gateway reaches Redis again',
    );
    const fallbacks = await metric(gateway.url, 'graftql_redis_fallbacks_total{feature="cache"}');
    expect((await read(11)).status).toBe(200);
    expect(await metric(gateway.url, 'graftql_redis_fallbacks_total{feature="cache"}')).toBe(fallbacks);
  }, 30_000);
});

/** A metric's value on the /metrics of the gateway at base URL `url` (`name` may carry its labels), or undefined when it is not there. */
async function metric(url: string, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}
