/**
 * Canary credentials: unique secret strings as upstream key, client secret,
 * password and appid, echoed back by failing upstreams, and a caller's
 * token. After a run of good and failing queries, none appears in any
 * response, log line, metric, span or the status page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backends, startBackends } from '../helpers/backends.ts';
import { startGateway, type TestGateway } from '../helpers/gateway.ts';
import { type OtlpReceiver, startOtlpReceiver } from '../helpers/otlp.ts';
import { scrape } from '../helpers/prometheus.ts';

const CANARIES = {
  accountsApiKey: 'canary-accounts-key-7f3a91',
  contentClientSecret: 'canary-content-secret-91bd44',
  commentsPassword: 'canary-comments-pw-22c1e8',
  weatherAppid: 'canary-weather-appid-5e0d17',
};
const basic = Buffer.from(`graftql:${CANARIES.commentsPassword}`).toString('base64');
const CALLER_TOKEN = 'canary-caller-token-0b6f2d';
const secrets = [...Object.values(CANARIES), basic, CALLER_TOKEN];

let backends: Backends;
let gateway: TestGateway;
let receiver: OtlpReceiver;

beforeAll(async () => {
  backends = await startBackends({ credentials: CANARIES });
  receiver = await startOtlpReceiver();
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
  gateway = await startGateway(backends, {
    responseCache: false,
    env: { OTEL_TRACES_EXPORTER: 'otlp' },
    sources: { weather: { timeouts: { connectMs: 500, headersMs: 500, bodyMs: 500, attemptMs: 300 } } },
  });
});
afterAll(async () => {
  delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  await receiver.close();
  await backends.close();
});

describe('secrets', () => {
  it('appear in no response, log line, metric, span or status page, even when upstreams echo them', async () => {
    const responses: string[] = [];
    const run = async (query: string) =>
      responses.push((await gateway.query(query, undefined, { authorization: `Bearer ${CALLER_TOKEN}` })).text);
    const everything =
      '{ user(id: "User:1") { name weather { city } articles(first: 2) { edges { node { comments(first: 2) { edges { node { body } } } } } } } }';
    await run(everything);

    const echo = (secret: string) => ({
      kind: 'status' as const,
      status: 500,
      body: JSON.stringify({ error: `bad key ${secret}` }),
    });
    backends.accounts.inject({ fault: echo(CANARIES.accountsApiKey), times: 1 });
    backends.weather.inject({ fault: echo(CANARIES.weatherAppid), times: 1 });
    backends.comments.inject({ fault: echo(basic), times: 1 });
    await run(everything);
    backends.weather.inject({ fault: { kind: 'stallHeaders' }, times: 1 });
    await run('{ weather(city: "Oslo") { city } }');
    backends.content.revokeTokens();
    await run(everything);
    await run('{ weather(city: "Nowhere") { city } }');
    await run('{ viewer { name } }');

    const metrics = (await scrape(`${gateway.url}/metrics`)).text;
    const statusPage = await (await fetch(`${gateway.url}/status`)).text();
    await gateway.close(); // flushes the spans
    const spans = receiver.bodies.join('\n');
    expect(metrics).toContain('graftql_upstream_requests_total{source="weather"');
    expect(statusPage).toContain('data-source="weather"');
    expect(spans).toContain('GET /data/2.5/weather');

    expect(responses.join('').length).toBeGreaterThan(0);
    expect(gateway.logs.length).toBeGreaterThan(5);
    const failures = gateway.logs.filter((line) => line.includes('upstream call failed'));
    expect(failures.length).toBeGreaterThanOrEqual(4);
    for (const secret of secrets) {
      for (const text of [...responses, ...gateway.logs, metrics, statusPage, spans])
        expect(text).not.toContain(secret);
    }
    // The scrubbed upstream message is still there for the operator.
    expect(failures.some((line) => line.includes('bad key [redacted]'))).toBe(true);
  });

  it('the credentials did reach the upstreams (the test would be empty otherwise)', () => {
    expect(backends.accounts.requests.some((request) => request.headers['x-api-key'] === CANARIES.accountsApiKey)).toBe(
      true,
    );
    expect(backends.weather.requests.some((request) => request.url.includes(CANARIES.weatherAppid))).toBe(true);
    expect(backends.comments.requests.some((request) => request.headers.authorization === `Basic ${basic}`)).toBe(true);
    expect(
      backends.accounts.requests.some((request) => request.headers.authorization === `Bearer ${CALLER_TOKEN}`),
    ).toBe(true);
  });
});
