/**
 * OpenTelemetry traces of one request, received by a local OTLP/HTTP
 * receiver: the request's span continues the caller's trace, its steps and
 * source calls hang below it, and the source sees the exchange's span in
 * the `traceparent` it was sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backends, startBackends } from '../helpers/backends.ts';
import { startGateway } from '../helpers/gateway.ts';
import { attributeOf as attribute, type OtlpReceiver, startOtlpReceiver } from '../helpers/otlp.ts';

const SERVER = 2;
const CLIENT = 3;

let backends: Backends;
let receiver: OtlpReceiver;

beforeAll(async () => {
  backends = await startBackends();
  receiver = await startOtlpReceiver();
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
});
afterAll(async () => {
  delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  await receiver.close();
  await backends.close();
});

describe('traces over OTLP', () => {
  it('one request: the caller’s trace continued, parse / validate / execute, the source call and its exchange, traceparent sent upstream', async () => {
    receiver.spans.length = 0;
    const gateway = await startGateway(backends, {
      env: { OTEL_TRACES_EXPORTER: 'otlp' },
      sources: { weather: { hedge: { enabled: false } } },
    });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpan = '00f067aa0ba902b7';
    const answer = await gateway.query('query Forecast { weather(city: "Oslo") { city } }', undefined, {
      traceparent: `00-${traceId}-${callerSpan}-01`,
    });
    expect(answer.body.errors).toBeUndefined();
    await gateway.close(); // flushes the spans

    const named = (name: string) => receiver.spans.find((span) => span.name === name);
    const request = named('query Forecast');
    expect(request).toMatchObject({ traceId, parentSpanId: callerSpan, kind: SERVER });
    expect(attribute(request, 'graphql.operation.name')).toBe('Forecast');
    expect(attribute(request, 'http.response.status_code')).toBe(200);
    expect(attribute(request, 'graftql.upstream_calls')).toBe(1);
    for (const step of ['graphql.parse', 'graphql.validate', 'graphql.execute'])
      expect(named(step)).toMatchObject({ traceId, parentSpanId: request?.spanId });
    const call = named('weather GET /data/2.5/weather');
    expect(call).toMatchObject({ traceId, parentSpanId: named('graphql.execute')?.spanId });
    expect(attribute(call, 'graftql.cache.result')).toBe('miss');
    const exchange = named('GET /data/2.5/weather');
    expect(exchange).toMatchObject({ traceId, parentSpanId: call?.spanId, kind: CLIENT });
    expect(attribute(exchange, 'http.request.method')).toBe('GET');
    expect(attribute(exchange, 'url.template')).toBe('/data/2.5/weather');
    expect(attribute(exchange, 'server.address')).toBe('127.0.0.1');
    expect(attribute(exchange, 'http.response.status_code')).toBe(200);
    expect(receiver.spans.every((span) => span.traceId === traceId)).toBe(true);

    // The source saw the exchange's own span as its parent.
    expect(backends.weather.requests.at(-1)?.headers.traceparent).toBe(`00-${traceId}-${exchange?.spanId}-01`);
    // Neither the query string (the city, the API key) nor the raw URL is in any span.
    const exported = receiver.bodies.join('\n');
    expect(exported).not.toContain('Oslo');
    expect(exported).not.toContain(backends.env.WEATHER_APPID ?? 'unset');
    expect(exported).not.toContain('appid');
  });

  it('a retried exchange carries its resend count; a cached answer makes a call span and no exchange', async () => {
    receiver.spans.length = 0;
    const gateway = await startGateway(backends, {
      env: { OTEL_TRACES_EXPORTER: 'otlp' },
      sources: { weather: { hedge: { enabled: false } } },
    });
    backends.weather.inject({ fault: { kind: 'status', status: 503 }, times: 1 });
    await gateway.query('query Forecast { weather(city: "Oslo") { city } }');
    await gateway.query('query Forecast { weather(city: "Oslo") { city } }');
    await gateway.close();
    const exchanges = receiver.spans.filter((span) => span.name === 'GET /data/2.5/weather');
    expect(
      exchanges.map((span) => [
        attribute(span, 'http.response.status_code'),
        attribute(span, 'http.request.resend_count') ?? 0,
      ]),
    ).toEqual([
      [503, 0],
      [200, 1],
    ]);
    expect(attribute(exchanges[0], 'error.type')).toBe('UPSTREAM_UNAVAILABLE');
    const calls = receiver.spans.filter((span) => span.name === 'weather GET /data/2.5/weather');
    expect(calls.map((span) => attribute(span, 'graftql.cache.result'))).toEqual(['miss', 'hit']);
    expect(new Set(receiver.spans.map((span) => span.traceId)).size).toBe(2);
  });

  it('refuses the caller’s traceparent when acceptParent is false, and sends none when propagate is false', async () => {
    receiver.spans.length = 0;
    backends.weather.clearRecords();
    const gateway = await startGateway(backends, {
      env: { OTEL_TRACES_EXPORTER: 'otlp' },
      observability: { tracing: { acceptParent: false, propagate: false } },
    });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await gateway.query('query Forecast { weather(city: "Tromso") { city } }', undefined, {
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
    });
    await gateway.close();
    const request = receiver.spans.find((span) => span.name === 'query Forecast');
    expect(request?.traceId).not.toBe(traceId);
    expect(request?.parentSpanId ?? '').toBe('');
    expect(backends.weather.requests.at(-1)?.headers.traceparent).toBeUndefined();
  });

  it('an OTLP endpoint that refuses connections loses the spans, not the answers, and does not hold up shutdown', async () => {
    const closed = await startOtlpReceiver();
    await closed.close(); // its port now refuses connections
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = closed.url;
    try {
      const gateway = await startGateway(backends, {
        env: { OTEL_TRACES_EXPORTER: 'otlp' },
        observability: { tracing: { shutdownFlushMs: 20 } },
      });
      for (let i = 0; i < 3; i++)
        expect((await gateway.query('query Forecast { weather(city: "Oslo") { city } }')).body).toEqual({
          data: { weather: { city: 'Oslo' } },
        });
      await gateway.close();
    } finally {
      process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    }
  });

  it('an endpoint that refuses the spans is logged once as a warning, and the answers are unaffected', async () => {
    const refusing = await startOtlpReceiver({ status: 400 });
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = refusing.url;
    try {
      const gateway = await startGateway(backends, { env: { OTEL_TRACES_EXPORTER: 'otlp' } });
      for (let i = 0; i < 3; i++)
        expect((await gateway.query('query Forecast { weather(city: "Oslo") { city } }')).body.errors).toBeUndefined();
      await gateway.close(); // the batch is sent, and refused
      expect(refusing.bodies.length).toBeGreaterThan(0);
      const warnings = gateway.logs.filter((line) => line.includes('spans could not be exported'));
      expect(warnings).toHaveLength(1);
      expect(JSON.parse(warnings[0] ?? '{}')).toMatchObject({ level: 40 });
    } finally {
      process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
      await refusing.close();
    }
  });
});
