/**
 * Webhooks and subscriptions as real clients speak them: signed Standard
 * Webhooks deliveries over HTTP, subscriptions over SSE (graphql-sse) and
 * WebSockets (graphql-ws).
 */
import { randomUUID } from 'node:crypto';
import { createClient as createSseClient, type Client as SseClient } from 'graphql-sse';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { DEV_CREDENTIALS } from '../../examples/backends/index.ts';
import { signStandard, standardKey } from '../../src/events/webhook-signature.ts';

export const DEV_KEY = standardKey(DEV_CREDENTIALS.webhookSecret) as Buffer;

export interface DeliveryOptions {
  id?: string;
  /** Unix seconds. @default now */
  timestamp?: number;
  key?: Buffer;
}

/** The headers of a Standard Webhooks delivery of `body`. */
export function signedHeaders(
  body: string,
  { id = `msg_${randomUUID()}`, timestamp = Math.floor(Date.now() / 1000), key = DEV_KEY }: DeliveryOptions = {},
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signStandard(key, id, timestamp, body),
  };
}

export interface WebhookAnswer {
  status: number;
  code?: string;
}

/** Posts a delivery to `<gateway>/webhooks/<source>`. */
export async function postWebhook(
  gatewayUrl: string,
  source: string,
  body: string,
  headers: Record<string, string>,
): Promise<WebhookAnswer> {
  const response = await fetch(`${gatewayUrl}/webhooks/${source}`, { method: 'POST', headers, body });
  const text = await response.text();
  return { status: response.status, ...(text && { code: (JSON.parse(text) as { code: string }).code }) };
}

/** Signs and posts a Standard Webhooks event `{ type, timestamp, data }`. */
export function sendEvent(
  gatewayUrl: string,
  source: string,
  type: string,
  data: unknown,
  options?: DeliveryOptions,
): Promise<WebhookAnswer> {
  const body = JSON.stringify({ type, timestamp: new Date().toISOString(), data });
  return postWebhook(gatewayUrl, source, body, signedHeaders(body, options));
}

/** A GraphQL over SSE client (distinct connections, as browsers use it). */
export function sseClient(gatewayUrl: string, headers: Record<string, string> = {}): SseClient {
  return createSseClient({ url: `${gatewayUrl}/graphql`, headers, retryAttempts: 0 });
}

/** A graphql-transport-ws client; `headers` go in the connection_init payload. */
export function wsClient(gatewayUrl: string, headers?: Record<string, string>): WsClient {
  return createWsClient({
    url: `${gatewayUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: false,
    // The tests see a closed socket through their iterators; the client would also print it.
    onNonLazyError: () => undefined,
    connectionParams: headers && { headers },
  });
}

/** Collects what an iterator yields until `count` have come; `untilDone` collects to its end. */
export async function take<T>(iterator: AsyncIterator<T>, count: number): Promise<T[]> {
  const seen: T[] = [];
  while (seen.length < count) {
    const step = await iterator.next();
    if (step.done) break;
    seen.push(step.value);
  }
  return seen;
}
