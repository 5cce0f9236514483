/**
 * Hot reload (server/reloader.ts) with real gateways over a real upstream:
 * thirty reloads in a row under load drop no request, every answer comes
 * wholly from one graph version, and the source whose config did not change
 * keeps its client (its connections); a graph that does not check is
 * refused with its file, line and column, and the running one keeps serving
 * and says so on /readyz and /status.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/config/config-schema.ts';
import { resolveConfig } from '../../src/config/resolve-config.ts';
import { createGateway } from '../../src/server/create-gateway.ts';
import type { Graph } from '../../src/server/graph.ts';
import { listen, type RunningGateway } from '../../src/server/listen.ts';
import { type ReloadingGateway, startReloading } from '../../src/server/reloader.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { machineRedis, REDIS_URL } from '../helpers/redis.ts';

let upstream: Server;
let upstreamUrl: string;
let connections = 0;

beforeAll(async () => {
  // `/v<n>/<field>` answers n: a field's answer says which graph version asked.
  upstream = createServer((req, res) => {
    const version = /^\/v(\d+)\//.exec(req.url ?? '')?.[1] ?? '?';
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value: version }));
  });
  upstream.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

/** Graph version n: both fields read /v<n>/...; `other`'s config differs in every version. */
function versionOf(n: number, sdl = '', more: Partial<GatewayConfig> = {}) {
  const graph: Graph = {
    files: [
      {
        name: 'schema/things.graphql',
        body: `type Query {
  a: String @rest(source: "up", path: "/v${n}/a", selection: "value")
  b: String @rest(source: "up", path: "/v${n}/b", selection: "value")
}
${sdl}`,
      },
    ],
  };
  const config: GatewayConfig = {
    schema: 'unused',
    server: { port: 0 },
    sources: {
      up: { url: upstreamUrl, cache: { enabled: false }, hedge: { enabled: false } },
      other: { url: upstreamUrl, timeouts: { attemptMs: 1_000 + n } },
    },
    ...more,
  };
  return { graph, config };
}

async function reloading(version: () => { graph: Graph; config: GatewayConfig }, env: Record<string, string> = {}) {
  const logger = createLogger({ level: 'silent' });
  const reloader = await startReloading(async (carry, notes) => {
    const { graph, config } = version();
    return createGateway(config, { env, logger, graph, carry, notes });
  }, logger);
  const running = await listen(reloader, resolveConfig(versionOf(1).config, {}));
  return { reloader, running };
}

describe('hot reload', () => {
  let reloader: ReloadingGateway;
  let running: RunningGateway;
  let current = 1;
  let extra = '';

  beforeAll(async () => {
    ({ reloader, running } = await reloading(() => versionOf(current, extra)));
  });
  afterAll(() => running.shutdown());

  it('drops no request across thirty reloads under load; each answer is one version; the unchanged source keeps its client', async () => {
    const agent = new Agent({ connections: 16 });
    const answers: Array<{ a: unknown; b: unknown }> = [];
    const failures: string[] = [];
    let loading = true;
    const ask = async () => {
      while (loading) {
        try {
          const response = await request(`${running.url}/graphql`, {
            method: 'POST',
            dispatcher: agent,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: '{ a b }' }),
          });
          const body = (await response.body.json()) as { data?: { a: unknown; b: unknown }; errors?: unknown };
          if (response.statusCode !== 200 || body.errors || !body.data) failures.push(JSON.stringify(body));
          else answers.push(body.data);
        } catch (error) {
          failures.push(String(error));
        }
      }
    };
    const before = connections;
    const loops = Array.from({ length: 16 }, ask);
    const outcomes = [];
    for (let reload = 0; reload < 30; reload++) {
      // Each version serves some of the load before the next replaces it (progress, not time).
      const seen = answers.length;
      while (answers.length < seen + 8 && failures.length === 0) await new Promise((resolve) => setImmediate(resolve));
      current += 1;
      outcomes.push(await reloader.reload());
    }
    loading = false;
    await Promise.all(loops);
    await agent.close();

    expect(failures).toEqual([]);
    expect(outcomes.every((outcome) => outcome.ok)).toBe(true);
    expect(reloader.version()).toBe(31);
    // Wholly one version: both fields of an answer were asked by the same graph.
    expect(answers.filter((answer) => answer.a !== answer.b)).toEqual([]);
    expect(new Set(answers.map((answer) => answer.a)).size).toBeGreaterThan(20);
    // `up` kept its client (and its open connections); `other` changed every time.
    expect(outcomes.every((outcome) => outcome.kept.includes('up') && !outcome.kept.includes('other'))).toBe(true);
    expect(connections - before).toBeLessThanOrEqual(32);
  });

  it('refuses a graph that does not check, with its place, and keeps serving the running one, saying so on /readyz and /status', async () => {
    const serving = current;
    extra = 'extend type Query { c: String @rest(source: "nowhere", path: "/c") }';
    const broken = await reloader.reload();
    expect(broken.ok).toBe(false);
    expect(broken.error).toMatch(/schema\/things\.graphql:5:\d+: .*source "nowhere"/);
    expect(broken.version).toBe(reloader.version());
    const answer = await request(`${running.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ a b }' }),
    });
    expect(await answer.body.json()).toEqual({ data: { a: String(serving), b: String(serving) } });
    const ready = await request(`${running.url}/readyz`);
    expect(ready.statusCode).toBe(200);
    const readiness = (await ready.body.json()) as { ready: boolean; warnings: string[] };
    expect(readiness.ready).toBe(true);
    expect(readiness.warnings.join('\n')).toMatch(
      /reload of .* failed; graph version \d+ still serves\. [\s\S]*schema\/things\.graphql:5:/,
    );
    const status = await (await request(`${running.url}/status`)).body.text();
    expect(status).toContain('still serves');
    // The next good reload clears it.
    extra = '';
    expect((await reloader.reload()).ok).toBe(true);
    const after = await request(`${running.url}/readyz`);
    expect(after.statusCode).toBe(200);
    expect(await after.body.text()).not.toContain('failed');
  });
});

describe('hot reload with Redis', () => {
  it('keeps the Redis link, the cache and the unchanged source client; a changed redis setting makes them again', async () => {
    if (!(await machineRedis('hot reload with Redis'))) return;
    let n = 1;
    let commandTimeoutMs = 500;
    const redis = () => ({
      redis: { url: { env: 'REDIS_URL' }, keyPrefix: `graftql-reload-${process.pid}:`, commandTimeoutMs },
    });
    const { reloader, running } = await reloading(() => versionOf(n, '', redis()), { REDIS_URL });
    try {
      n = 2;
      const kept = await reloader.reload();
      expect(kept).toMatchObject({ ok: true, version: 2 });
      expect(kept.kept).toContain('up');
      commandTimeoutMs = 600;
      n = 3;
      const remade = await reloader.reload();
      expect(remade).toMatchObject({ ok: true, version: 3, kept: [] });
      const answer = await request(`${running.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ a b }' }),
      });
      expect(await answer.body.json()).toEqual({ data: { a: '3', b: '3' } });
    } finally {
      await running.shutdown();
    }
  });
});
