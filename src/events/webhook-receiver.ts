/**
 * Webhook deliveries from sources: verified (webhook-signature.ts), refused
 * when replayed, parsed, then delivered: the cached reads the event names
 * are dropped and the event goes to the hub's subscribers. A refused
 * delivery is logged with its source, code and delivery id, never its body,
 * and reaches no one.
 */
import { LRUCache } from 'lru-cache';
import type { SourceConfig } from '../config/config-schema.ts';
import { ConfigError } from '../config/resolve-config.ts';
import { read } from '../core/dot-path.ts';
import type { UpstreamPath } from '../core/upstream-path.ts';
import type { ErrorCode } from '../errors.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { EventHub } from './event-hub.ts';
import { eventPaths } from './event-paths.ts';
import { standardKey, verifyDelivery, type WebhookScheme } from './webhook-signature.ts';

export interface Delivery {
  /** Lower-case header name → value. */
  header(name: string): string | undefined;
  body: Buffer;
}

export type WebhookOutcome = { ok: true; delivered: number } | { ok: false; code: ErrorCode; message: string };

export interface WebhookReceiver {
  /** The largest body the source's deliveries may have, or undefined when it sends no webhooks. */
  maxBodyBytes(source: string): number | undefined;
  receive(source: string, delivery: Delivery): Promise<WebhookOutcome>;
  /** A delivery refused before it could be received (its size, its method): logged and counted as the others. */
  refuse(source: string, code: ErrorCode, message: string): WebhookOutcome & { ok: false };
}

/** A replay store shared with other replicas (a port, replicas/replay-claims.ts): true, first seen; false, a replay; undefined, the store could not say. */
export type ReplayClaim = (source: string, id: string, ttlMs: number) => Promise<boolean | undefined>;

export interface ReceiverOptions {
  sources: Readonly<Record<string, Pick<SourceConfig, 'webhooks'>>>;
  /** Where verified events go: this replica's hub, or a relay to every replica's (replicas/event-relay.ts). */
  hub: Pick<EventHub, 'publish'>;
  /** A replay store shared with other replicas (Redis): consulted after this replica's own. */
  claim?: ReplayClaim;
  /** Drops a source's cached reads under these paths; settles once every replica has been told. */
  invalidate(source: string, paths: readonly UpstreamPath[]): Promise<void> | void;
  logger: Logger;
  /** Told each delivery's outcome: `delivered`, or the code (source `unknown` when no such source sends webhooks). */
  observe?: (source: string, outcome: string) => void;
  /** ms since epoch. */
  now: () => number;
}

interface SourceWebhooks {
  scheme: WebhookScheme;
  keys: Buffer[];
  toleranceMs: number;
  maxBodyBytes: number;
  idHeader: string;
  typeAt(delivery: Delivery, body: unknown): unknown;
  pathsFor(type: string, event: unknown): UpstreamPath[];
  /** Delivery ids seen within the tolerance window. */
  seen: LRUCache<string, true>;
}

export function createWebhookReceiver({
  sources,
  hub,
  claim,
  invalidate,
  logger,
  observe,
  now,
}: ReceiverOptions): WebhookReceiver {
  const perf = { now };
  const receivers = new Map<string, SourceWebhooks>();
  for (const [name, { webhooks }] of Object.entries(sources)) {
    if (!webhooks) continue;
    const toleranceMs = webhooks.toleranceSeconds * 1000;
    const typePath = webhooks.type.split('.');
    const { typeHeader } = webhooks;
    receivers.set(name, {
      scheme: webhooks.scheme,
      keys: webhooks.secrets.map((secret, index) => {
        if (webhooks.scheme !== 'standard') return Buffer.from(secret.reveal());
        const key = standardKey(secret.reveal());
        if (!key)
          throw new ConfigError(
            `Invalid GraftQL configuration:\n  - sources.${name}.webhooks.secrets.${index}: a Standard Webhooks secret is whsec_ and the base64 of at least 16 bytes`,
          );
        return key;
      }),
      toleranceMs,
      maxBodyBytes: webhooks.maxBodyBytes,
      idHeader: webhooks.idHeader,
      typeAt: typeHeader ? (delivery) => delivery.header(typeHeader) : (_delivery, body) => read(body, typePath),
      pathsFor: eventPaths(webhooks.invalidates),
      // A timestamp is accepted up to the tolerance either way, so an id must be remembered for twice that.
      seen: new LRUCache({ max: webhooks.maxRemembered, ttl: 2 * toleranceMs, ttlAutopurge: false, perf }),
    });
  }

  return {
    maxBodyBytes: (source) => receivers.get(source)?.maxBodyBytes,

    refuse: (source, code, message) => refused(source, undefined, code, message),

    async receive(source, delivery) {
      const receiver = receivers.get(source);
      if (!receiver)
        return refused(
          source,
          undefined,
          'NOT_FOUND',
          `No source named ${JSON.stringify(source.slice(0, 64))} sends webhooks here.`,
        );
      const verdict = verifyDelivery({ ...receiver, header: delivery.header, body: delivery.body, now: now() });
      if (!verdict.ok) return refused(source, undefined, verdict.code, verdict.message);
      const { id } = verdict;
      if (receiver.seen.has(id))
        return refused(source, id, 'WEBHOOK_REPLAYED', 'This delivery id was already received.');
      let body: unknown;
      try {
        body = JSON.parse(delivery.body.toString('utf8'));
      } catch {
        return refused(source, id, 'BAD_REQUEST', 'The delivery body is not JSON.');
      }
      const type = receiver.typeAt(delivery, body);
      if (typeof type !== 'string' || type === '')
        return refused(source, id, 'BAD_REQUEST', 'The delivery does not say its event type.');
      // Remembered only once verified and well-formed: unsigned junk cannot fill the store or burn a real delivery's id.
      if ((await claim?.(source, id, 2 * receiver.toleranceMs)) === false)
        return refused(source, id, 'WEBHOOK_REPLAYED', 'This delivery id was already received (by another replica).');
      // Checked again: the same id may have come twice while the shared store answered.
      if (receiver.seen.has(id))
        return refused(source, id, 'WEBHOOK_REPLAYED', 'This delivery id was already received.');
      receiver.seen.set(id, true);
      const stale = receiver.pathsFor(type, body);
      // Answered once every replica has been told, as a write through the gateway is.
      if (stale.length > 0) await invalidate(source, stale);
      const delivered = hub.publish({ source, id, type, body });
      logger.debug({ source, webhookId: id, type, delivered }, 'webhook delivered');
      observe?.(source, 'delivered');
      return { ok: true, delivered };
    },
  };

  function refused(
    source: string,
    id: string | undefined,
    code: ErrorCode,
    message: string,
  ): WebhookOutcome & { ok: false } {
    const known = receivers.has(source);
    logger.warn({ source: known ? source : source.slice(0, 64), webhookId: id, code }, `webhook refused: ${message}`);
    observe?.(known ? source : 'unknown', code);
    return { ok: false, code, message };
  }
}
