/**
 * A gateway that is one worker of `graftql serve --workers` (its `cluster`
 * option, what observability/cluster-view.ts makes in a worker): GET /metrics
 * and GET /status answer what the view gathers from every worker, share this
 * worker's own figures with it, and answer 503 saying why when the figures
 * do not come (the primary did not gather them in time). The view stands in
 * for the primary's IPC here; test/cli/workers.test.ts runs the real one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.ts';
import type { ClusterView } from '../../src/observability/cluster-view.ts';
import type { SourceStatus } from '../../src/observability/status-page.ts';
import { createGateway } from '../../src/server/create-gateway.ts';
import { listen, type RunningGateway } from '../../src/server/listen.ts';
import { createLogger } from '../../src/telemetry/logger.ts';

const SDL = 'type Query { item: String @rest(source: "api", path: "/item") }\n';
const config = {
  server: { port: 0, host: '127.0.0.1' },
  sources: { api: { url: 'http://127.0.0.1:9' } },
} as const;

let running: RunningGateway | undefined;
afterEach(async () => {
  await running?.shutdown();
  running = undefined;
});

async function serveAsWorker(view: ClusterView): Promise<string> {
  const gateway = createGateway(config, {
    env: {},
    logger: createLogger({ level: 'silent' }),
    graph: { files: [{ name: 'api.graphql', body: SDL }] },
    cluster: view,
  });
  running = await listen(gateway, resolveConfig(config, {}));
  return running.url;
}

const everyWorker: SourceStatus = {
  name: 'api',
  breaker: 'closed',
  inFlight: 0,
  calls: 41,
  failures: 2,
  cache: { hit: 0, miss: 0, stale: 0, revalidated: 0, coalesced: 0 },
};

describe('a gateway that is a worker', () => {
  it("shares its own figures, and answers every worker's", async () => {
    let shared: Parameters<ClusterView['share']>[0] | undefined;
    const url = await serveAsWorker({
      share: (figures) => void (shared = figures),
      metrics: async () => 'graftql_requests_total{operation="anonymous",type="query"} 1234\n',
      sourceStatus: async () => [everyWorker],
    });
    expect(shared?.sourceStatus().map((source) => source.name)).toEqual(['api']);
    expect(await shared?.registry?.metrics()).toContain('graftql_requests_total');
    const metrics = await fetch(`${url}/metrics`);
    expect([metrics.status, await metrics.text()]).toEqual([
      200,
      'graftql_requests_total{operation="anonymous",type="query"} 1234\n',
    ]);
    const status = await (await fetch(`${url}/status`)).text();
    expect(status).toMatch(/<tr data-source="api">.*<td data-field="calls">41<\/td>/);
  });

  it('answers 503, saying why, when the figures of the other workers do not come', async () => {
    const late = new Error("the primary process did not gather the workers' metrics in time");
    const url = await serveAsWorker({
      share: () => {},
      metrics: () => Promise.reject(late),
      sourceStatus: () => Promise.reject(late),
    });
    for (const path of ['/metrics', '/status']) {
      const answer = await fetch(`${url}${path}`);
      expect([answer.status, answer.headers.get('retry-after'), await answer.text()]).toEqual([
        503,
        '1',
        "Not available now: the primary process did not gather the workers' metrics in time.",
      ]);
    }
    // The gateway serves on: GraphQL is not the figures.
    const graphql = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(graphql.status).toBe(200);
  });
});
