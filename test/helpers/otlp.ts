/**
 * A local OTLP/HTTP trace receiver (JSON, as @opentelemetry/exporter-trace-otlp-http
 * sends it): keeps every body and span it is sent.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: Record<string, unknown> }>;
}

export interface OtlpReceiver {
  url: string;
  spans: OtlpSpan[];
  /** Every body received, raw. */
  bodies: string[];
  close(): Promise<void>;
}

/** `status`: what it answers (a 400 refuses every batch). */
export async function startOtlpReceiver({ status = 200 } = {}): Promise<OtlpReceiver> {
  const spans: OtlpSpan[] = [];
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      bodies.push(body);
      const parsed = JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }> };
      for (const resource of parsed.resourceSpans) for (const scope of resource.scopeSpans) spans.push(...scope.spans);
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    bodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A span attribute's value (strings, integers, booleans). */
export function attributeOf(span: OtlpSpan | undefined, key: string): unknown {
  const value = span?.attributes.find((entry) => entry.key === key)?.value;
  return value && (value.stringValue ?? (value.intValue === undefined ? value.boolValue : Number(value.intValue)));
}
