/** `npm start` as a new user runs it: a real child process. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backends, startBackends } from '../helpers/backends.ts';
import { postGraphQL } from '../helpers/gateway.ts';
import { servingUrl, spawnMain } from '../helpers/process.ts';
import { until } from '../helpers/time.ts';

let backends: Backends;

beforeAll(async () => {
  backends = await startBackends();
});
afterAll(() => backends.close());

describe('npm start', () => {
  it('with no *_URL set, starts the example services in-process and serves the graph', async () => {
    const gateway = spawnMain({ PORT: '0', LOG_LEVEL: 'info' });
    try {
      const url = await servingUrl(gateway);
      const { body } = await postGraphQL(url, {
        query:
          '{ user(id: "User:1") { name weather { city } } articles(first: 1) { edges { node { author { id } comments(first: 1) { totalCount } } } } }',
      });
      expect(body.errors).toBeUndefined();
      expect(body.data?.user).toMatchObject({ name: expect.any(String), weather: { city: expect.any(String) } });
    } finally {
      gateway.child.kill('SIGTERM');
      expect(await gateway.exited).toBe(0);
    }
  });

  it('drains an in-flight request on SIGTERM, then exits 0', async () => {
    const gateway = spawnMain({ ...backends.env, PORT: '0', LOG_LEVEL: 'info' });
    const url = await servingUrl(gateway);
    backends.accounts.setLatency(800);
    backends.accounts.clearRecords();
    try {
      const inFlight = postGraphQL(url, { query: '{ user(id: "User:2") { name } }' });
      // In flight once its upstream call has arrived.
      await until(() => backends.accounts.requests.length > 0, 'the upstream call');
      gateway.child.kill('SIGTERM');
      const response = await inFlight;
      expect(response.status).toBe(200);
      expect(response.body.data?.user).toEqual({ name: expect.any(String) });
      expect(await gateway.exited).toBe(0);
      expect(gateway.output()).toContain('draining in-flight requests');
      await expect(fetch(url)).rejects.toThrow();
    } finally {
      backends.accounts.setLatency(0);
    }
  });

  it('refuses an invalid config: names each bad path and exits 1', async () => {
    const gateway = spawnMain({ GRAFTQL_CONFIG: 'test/fixtures/invalid.config.ts', PORT: 'eighty' });
    expect(await gateway.exited).toBe(1);
    const output = gateway.output();
    expect(output).toContain('PORT: expected a port number');
    expect(output).toContain('sources.accounts.url: expected an http(s) base URL');
    expect(output).toContain('sources.accounts.timeouts.connectMs');
    expect(output).toContain('sources.content.url: environment variable GRAFTQL_TEST_UNSET_URL is not set');
  });
});
