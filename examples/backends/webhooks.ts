/**
 * How the example services announce changes: Standard Webhooks
 * (standardwebhooks.com), signed with the service's secret and posted, one
 * at a time and in order, to wherever the gateway listens. A delivery that
 * fails is counted and dropped (a real sender would retry with backoff).
 */
import { createHmac, randomUUID } from 'node:crypto';

export interface WebhookSender {
  /** Sends `{ type, timestamp, data }`; resolves once delivered or given up. */
  send(type: string, data: unknown): Promise<void>;
  /** Deliveries the target did not accept. */
  failures(): number;
}

let gatewayBase: string | undefined;

/** Where the embedded example services post their webhooks from now on: `<base>/webhooks/<service>` (`npm start` sets it once the gateway listens). */
export function sendWebhooksTo(base: string | undefined): void {
  gatewayBase = base?.replace(/\/+$/, '');
}

/** The target of a service's webhooks: its own, or the one `sendWebhooksTo` set. */
export function webhookTarget(service: string, own?: () => string | undefined): () => string | undefined {
  return own ?? (() => gatewayBase && `${gatewayBase}/webhooks/${service}`);
}

export function createWebhookSender({
  secret,
  target,
}: {
  secret: string;
  target: () => string | undefined;
}): WebhookSender {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  let queue: Promise<void> = Promise.resolve();
  let failures = 0;
  const deliver = async (url: string, body: string) => {
    const id = `msg_${randomUUID()}`;
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': `v1,${signature}`,
        },
        body,
        signal: AbortSignal.timeout(5_000),
      });
      await response.arrayBuffer();
      if (!response.ok) failures += 1;
    } catch {
      failures += 1;
    }
  };
  return {
    send(type, data) {
      const url = target();
      if (!url) return Promise.resolve();
      const body = JSON.stringify({ type, timestamp: new Date().toISOString(), data });
      queue = queue.then(() => deliver(url, body));
      return queue;
    },
    failures: () => failures,
  };
}
