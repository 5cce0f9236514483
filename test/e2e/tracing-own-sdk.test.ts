/**
 * A process that registered its own OpenTelemetry SDK (an embedding BFF)
 * keeps it: the gateway's spans go there, and the gateway exports nothing
 * of its own. In a file of its own: the registration is process-global.
 */
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backends, startBackends } from '../helpers/backends.ts';
import { startGateway } from '../helpers/gateway.ts';
import { type OtlpReceiver, startOtlpReceiver } from '../helpers/otlp.ts';

let backends: Backends;
let receiver: OtlpReceiver;
const exporter = new InMemorySpanExporter();

beforeAll(async () => {
  backends = await startBackends();
  receiver = await startOtlpReceiver();
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
});
afterAll(async () => {
  delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  trace.disable();
  await receiver.close();
  await backends.close();
});

describe('tracing inside a process with its own OpenTelemetry SDK', () => {
  it("sends the gateway's spans to that SDK, and none over its own exporter", async () => {
    const gateway = await startGateway(backends, { env: { OTEL_TRACES_EXPORTER: 'otlp' } });
    expect((await gateway.query('query Forecast { weather(city: "Oslo") { city } }')).body.errors).toBeUndefined();
    await gateway.close();
    const names = exporter.getFinishedSpans().map((span) => span.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'query Forecast',
        'graphql.execute',
        'weather GET /data/2.5/weather',
        'GET /data/2.5/weather',
      ]),
    );
    expect(receiver.bodies).toEqual([]);
  });
});
