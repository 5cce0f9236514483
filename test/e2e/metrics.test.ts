/**
 * Prometheus metrics after scripted workloads against the example services:
 * each assertion is an exact delta between two scrapes of GET /metrics.
 */

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve-config.ts';
import { createGateway } from '../../src/server/create-gateway.ts';
import { listen } from '../../src/server/listen.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { type Backends, resetBackends, startBackends } from '../helpers/backends.ts';
import {
  codes,
  configFor,
  type TestGateway,
  type TestGatewayOptions,
  withGateway as withTestGateway,
} from '../helpers/gateway.ts';
import { scrape } from '../helpers/prometheus.ts';

let backends: Backends;
beforeAll(async () => {
  backends = await startBackends();
});
afterAll(() => backends.close());
afterEach(() => resetBackends(backends));

/** Hedging off, so that every exchange is one the test asked for. */
const exact: TestGatewayOptions['sources'] = {
  accounts: { hedge: { enabled: false }, cache: { enabled: false } },
  weather: { hedge: { enabled: false } },
};

const withGateway = (options: TestGatewayOptions, run: (gateway: TestGateway, metricsUrl: string) => Promise<void>) =>
  withTestGateway(backends, { ...options, sources: { ...exact, ...options.sources } }, (gateway) =>
    run(gateway, `${gateway.url}/metrics`),
  );

const weather = (city: string) => `query Forecast { weather(city: "${city}") { city temperature } }`;
const user = (id: number) => `query Profile { user(id: "User:${id}") { name } }`;

describe('GET /metrics', () => {
  it('counts requests, upstream exchanges, cache lookups and the rate limit a source announced', () =>
    withGateway({}, async (gateway, metrics) => {
      const before = await scrape(metrics);
      expect((await gateway.query(weather('London'))).body.errors).toBeUndefined();
      expect((await gateway.query(weather('London'))).body.errors).toBeUndefined();
      const after = await scrape(metrics);

      const delta = (name: string, labels: Record<string, string> = {}) =>
        after.value(name, labels) - before.value(name, labels);
      expect(delta('graftql_requests_total', { operation: 'Forecast', type: 'query' })).toBe(2);
      expect(delta('graftql_request_duration_seconds_count', { operation: 'Forecast', type: 'query' })).toBe(2);
      expect(delta('graftql_request_upstream_calls_count', { operation: 'Forecast' })).toBe(2);
      expect(delta('graftql_request_upstream_calls_sum', { operation: 'Forecast' })).toBe(1);
      expect(
        delta('graftql_upstream_requests_total', {
          source: 'weather',
          method: 'GET',
          status_class: '2xx',
          outcome: 'success',
        }),
      ).toBe(1);
      expect(delta('graftql_upstream_attempt_seconds_count', { source: 'weather' })).toBe(1);
      expect(delta('graftql_upstream_headers_seconds_count', { source: 'weather' })).toBe(1);
      expect(delta('graftql_cache_requests_total', { source: 'weather', result: 'miss' })).toBe(1);
      expect(delta('graftql_cache_requests_total', { source: 'weather', result: 'hit' })).toBe(1);
      expect(after.value('graftql_cache_entries', { source: 'weather' })).toBe(1);
      expect(after.value('graftql_cache_bytes', { source: 'weather' })).toBeGreaterThan(50);
      // The weather service allows 600 calls a minute and said so in its headers.
      expect(after.value('graftql_rate_limit_remaining', { source: 'weather' })).toBe(
        600 - backends.weather.requests.length,
      );
      expect(after.value('graftql_rate_limit_reset_seconds', { source: 'weather' })).toBeGreaterThan(0);
      expect(after.value('graftql_request_errors_total', { operation: 'Forecast' })).toBe(0);
      // Node's own metrics are there too.
      expect(after.series('process_cpu_user_seconds_total')).toBe(1);
      expect(after.series('nodejs_eventloop_lag_seconds')).toBe(1);
    }));

  it('counts a retried 503 as two exchanges and one retry, and the answer as a success', () =>
    withGateway({}, async (gateway, metrics) => {
      const before = await scrape(metrics);
      backends.accounts.inject({ fault: { kind: 'status', status: 503 }, times: 1 });
      expect((await gateway.query(user(3))).body.errors).toBeUndefined();
      const after = await scrape(metrics);
      const delta = (name: string, labels: Record<string, string>) =>
        after.value(name, labels) - before.value(name, labels);
      expect(
        delta('graftql_upstream_requests_total', {
          source: 'accounts',
          method: 'GET',
          status_class: '5xx',
          outcome: 'UPSTREAM_UNAVAILABLE',
        }),
      ).toBe(1);
      expect(
        delta('graftql_upstream_requests_total', {
          source: 'accounts',
          method: 'GET',
          status_class: '2xx',
          outcome: 'success',
        }),
      ).toBe(1);
      expect(delta('graftql_upstream_retries_total', { source: 'accounts' })).toBe(1);
      expect(delta('graftql_requests_total', { operation: 'Profile', type: 'query' })).toBe(1);
      expect(after.series('graftql_request_errors_total')).toBe(0);
    }));

  it('shows a breaker opening: its transitions, its state, the failed exchanges and the refused call', () =>
    withGateway(
      {
        sources: {
          accounts: {
            hedge: { enabled: false },
            cache: { enabled: false },
            retry: { maxAttempts: 1 },
            breaker: { minimumCalls: 2, failureRatio: 0.5, openMs: 60_000 },
          },
        },
      },
      async (gateway, metrics) => {
        backends.accounts.inject({ fault: { kind: 'status', status: 500 } });
        const answers = [];
        for (const id of [1, 2, 3]) answers.push(codes(await gateway.query(user(id))));
        expect(answers).toEqual([['UPSTREAM_ERROR'], ['UPSTREAM_ERROR'], ['CIRCUIT_OPEN']]);
        const after = await scrape(metrics);
        expect(after.value('graftql_circuit_breaker_transitions_total', { source: 'accounts', to: 'open' })).toBe(1);
        expect(after.value('graftql_circuit_breaker_state', { source: 'accounts', state: 'open' })).toBe(1);
        expect(after.value('graftql_circuit_breaker_state', { source: 'accounts', state: 'closed' })).toBe(0);
        expect(after.value('graftql_circuit_breaker_state', { source: 'weather', state: 'closed' })).toBe(1);
        expect(
          after.value('graftql_upstream_requests_total', {
            source: 'accounts',
            method: 'GET',
            status_class: '5xx',
            outcome: 'UPSTREAM_ERROR',
          }),
        ).toBe(2);
        expect(backends.accounts.requests).toHaveLength(2);
        expect(after.value('graftql_request_errors_total', { operation: 'Profile', code: 'UPSTREAM_ERROR' })).toBe(2);
        expect(after.value('graftql_request_errors_total', { operation: 'Profile', code: 'CIRCUIT_OPEN' })).toBe(1);
      },
    ));

  it('counts a call the rate limit refused, and shows the limit spent', () =>
    withGateway({ limits: { requestDeadlineMs: 2_000 } }, async (gateway, metrics) => {
      backends.weather.setRateLimit(1, 60_000);
      expect((await gateway.query(weather('Paris'))).body.errors).toBeUndefined();
      expect(codes(await gateway.query(weather('Rome')))).toEqual(['UPSTREAM_RATE_LIMITED']);
      const after = await scrape(metrics);
      expect(backends.weather.requests).toHaveLength(1);
      expect(after.value('graftql_rate_limit_remaining', { source: 'weather' })).toBe(0);
      expect(
        after.value('graftql_request_errors_total', { operation: 'Forecast', code: 'UPSTREAM_RATE_LIMITED' }),
      ).toBe(1);
    }));

  it('counts refused requests under the operation "unknown" and their code', () =>
    withGateway({}, async (gateway, metrics) => {
      expect(codes(await gateway.query('{ nope }'))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      const response = await fetch(`${gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query": ',
      });
      expect(response.status).toBe(400);
      const after = await scrape(metrics);
      expect(after.value('graftql_requests_total', { operation: 'unknown', type: 'unknown' })).toBe(2);
      expect(
        after.value('graftql_request_errors_total', { operation: 'unknown', code: 'GRAPHQL_VALIDATION_FAILED' }),
      ).toBe(1);
      expect(after.value('graftql_request_errors_total', { operation: 'unknown', code: 'BAD_REQUEST' })).toBe(1);
    }));

  // 10,000 distinct documents, each parsed and validated: counted, not timed; the timeout only bounds a busy machine.
  // The bound's logic over 10,000 names is unit-tested (test/observability/metrics.test.ts); here, that requests reach it.
  it('keeps label values bounded: past observability.metrics.maxOperationNames, operation names count as "other"', () =>
    withGateway({ observability: { metrics: { maxOperationNames: 5 } } }, async (gateway, metrics) => {
      const total = 40;
      for (let sent = 0; sent < total; sent += 1)
        expect((await gateway.query(`query Op${sent} { __typename }`)).status).toBe(200);
      const after = await scrape(metrics);
      expect(after.series('graftql_requests_total')).toBe(6);
      expect(after.value('graftql_requests_total', { operation: 'other', type: 'query' })).toBe(total - 5);
      expect(after.series('graftql_request_duration_seconds')).toBe(6);
    }));

  it('labels operations by a hash of their name, never the name a client chose, when hashOperationNames is on (production)', () =>
    withGateway({ observability: { metrics: { hashOperationNames: true } } }, async (gateway, metrics) => {
      await gateway.query('query CustomerSecretReport_Acme { __typename }');
      const after = await scrape(metrics);
      expect(after.text).not.toContain('CustomerSecretReport_Acme');
      expect(
        after.value('graftql_requests_total', {
          operation: `hash:${createHash('sha256').update('CustomerSecretReport_Acme').digest('hex').slice(0, 12)}`,
          type: 'query',
        }),
      ).toBe(1);
    }));

  it('serves metrics on a port of their own when configured, and not on the public port', async () => {
    const config = { ...configFor(), observability: { metrics: { port: 0 } } };
    const running = await listen(
      createGateway(config, { env: backends.env, logger: createLogger({ level: 'silent' }) }),
      resolveConfig(config, backends.env),
    );
    try {
      expect(running.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect(running.metricsUrl?.startsWith(running.url)).toBe(false);
      expect((await scrape(running.metricsUrl ?? '')).series('graftql_requests_total')).toBe(0);
      expect((await fetch(`${running.url}/metrics`)).status).toBe(404);
      expect((await fetch((running.metricsUrl ?? '').replace('/metrics', '/other'))).status).toBe(404);
    } finally {
      await running.shutdown();
    }
  });

  it('the Grafana dashboard asks only for metrics the gateway exposes, in PromQL that Prometheus parses', () =>
    withGateway({}, async (gateway, metrics) => {
      await gateway.query(weather('London'));
      const exposed = new Set([...(await scrape(metrics)).text.matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]));
      const dashboard = JSON.parse(readFileSync('docs/grafana-dashboard.json', 'utf8')) as {
        panels: Array<{ targets: Array<{ expr: string }> }>;
      };
      const exprs = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr));
      expect(exprs.length).toBeGreaterThan(10);
      const asked = new Set(
        exprs.flatMap((expr) =>
          [...expr.matchAll(/\b((?:graftql|process|nodejs)_[a-z0-9_]+)/g)].map((match) =>
            match[1]?.replace(/_(bucket|count|sum)$/, ''),
          ),
        ),
      );
      for (const name of asked) expect(exposed, `${name} is in the dashboard`).toContain(name);
      // As recording rules, with Grafana's variables filled in, for promtool to parse.
      const rules = exprs
        .map(
          (expr, i) =>
            `      - record: dashboard:panel_${i}\n        expr: ${JSON.stringify(expr.replaceAll('$__rate_interval', '5m').replaceAll('$instance', '.*'))}`,
        )
        .join('\n');
      const file = join(mkdtempSync(join(tmpdir(), 'dashboard-')), 'rules.yml');
      writeFileSync(file, `groups:\n  - name: dashboard\n    rules:\n${rules}\n`);
      expect(execFileSync('promtool', ['check', 'rules', file]).toString()).toContain(
        `SUCCESS: ${exprs.length} rules found`,
      );
    }));
});
