/**
 * The request log: one line per GraphQL request, whatever its transport and
 * however it ended, with what it cost upstream, at the level its outcome
 * deserves.
 */
import { describe, expect, it } from 'vitest';
import type { Backends } from '../helpers/backends.ts';
import { type TestGateway, useGateway } from '../helpers/gateway.ts';

let backends: Backends;
let gateway: TestGateway;
useGateway({ sources: { accounts: { hedge: { enabled: false }, retry: { maxAttempts: 1 } } } }, (running) => {
  ({ backends, gateway } = running);
});

interface Line {
  level: number;
  msg: string;
  requestId: string;
  operation?: string;
  type?: string;
  durationMs: number;
  status: number;
  codes?: string[];
  upstreamCalls: number;
  cacheHits: number;
}
const INFO = 30;
const WARN = 40;

function requestLines(from: number): Line[] {
  return gateway.logs
    .slice(from)
    .map((line) => JSON.parse(line) as Line)
    .filter((line) => line.msg === 'request');
}

describe('the request log', () => {
  it('writes one line per request: id, operation, duration, status, codes, upstream calls and cache hits, at the level of its outcome', async () => {
    const from = gateway.logs.length;
    const first = await gateway.query('query Forecast { weather(city: "Oslo") { city } }', undefined, {
      'x-request-id': 'req-forecast-1',
    });
    await gateway.query('query Forecast { weather(city: "Oslo") { city } }', undefined, {
      'x-request-id': 'req-forecast-2',
    });
    backends.accounts.inject({ fault: { kind: 'status', status: 500 }, times: 1 });
    await gateway.query('query Profile { user(id: "User:9") { name } }', undefined, { 'x-request-id': 'req-profile' });
    await gateway.query('{ nope }', undefined, { 'x-request-id': 'req-invalid' });
    await fetch(`${gateway.url}/graphql?query=${encodeURIComponent('query ByGet { __typename }')}`, {
      headers: { 'x-request-id': 'req-get', 'graphql-require-preflight': '1' },
    });
    expect(first.body.errors).toBeUndefined();

    const lines = requestLines(from);
    expect(lines.map((line) => line.requestId)).toEqual([
      'req-forecast-1',
      'req-forecast-2',
      'req-profile',
      'req-invalid',
      'req-get',
    ]);
    const [miss, hit, failed, invalid, get] = lines;
    expect(miss).toMatchObject({
      level: INFO,
      operation: 'Forecast',
      type: 'query',
      status: 200,
      upstreamCalls: 1,
      cacheHits: 0,
    });
    expect(miss?.codes).toBeUndefined();
    expect(miss?.durationMs).toBeGreaterThan(0);
    expect(hit).toMatchObject({ level: INFO, upstreamCalls: 0, cacheHits: 1 });
    expect(failed).toMatchObject({ level: WARN, operation: 'Profile', codes: ['UPSTREAM_ERROR'], upstreamCalls: 1 });
    expect(invalid).toMatchObject({ level: INFO, codes: ['GRAPHQL_VALIDATION_FAILED'], upstreamCalls: 0 });
    expect(invalid?.operation).toBeUndefined();
    expect(get).toMatchObject({ level: INFO, operation: 'ByGet', type: 'query', status: 200 });
  });

  it('logs a request refused before the pipeline read its body, and never the body or the variables', async () => {
    const from = gateway.logs.length;
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-broken' },
      body: '{"query": "{ __typename }", "variables": {"secret-variable-value": 1',
    });
    expect(response.status).toBe(400);
    await gateway.query('query Forecast($city: String!) { weather(city: $city) { city } }', {
      city: 'variable-canary-city',
    });
    const lines = requestLines(from);
    expect(lines[0]).toMatchObject({ requestId: 'req-broken', status: 400, codes: ['BAD_REQUEST'] });
    expect(lines).toHaveLength(2);
    const written = gateway.logs.slice(from).join('\n');
    expect(written).not.toContain('secret-variable-value');
    expect(written).not.toContain('variable-canary-city');
  });
});
