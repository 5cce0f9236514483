/**
 * Webhook signatures, checked before anything else reads the body:
 * - Standard Webhooks (standardwebhooks.com): `webhook-id`,
 *   `webhook-timestamp` (Unix seconds) and `webhook-signature`, a
 *   space-separated list of `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`;
 *   any configured key may have signed (rotation);
 * - GitHub style: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`.
 *
 * Hand-written because the `standardwebhooks` package is one scheme only,
 * reads the clock itself and throws on malformed input; here every check
 * answers a verdict, the clock is the caller's, and no input can make it
 * throw (the property tests hold it to that).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type WebhookScheme = 'standard' | 'hubSignature256';

export type Verdict =
  | { ok: true; id: string; timestamp?: number }
  | {
      ok: false;
      code:
        | 'WEBHOOK_HEADER_MISSING'
        | 'WEBHOOK_HEADER_MALFORMED'
        | 'WEBHOOK_SIGNATURE_INVALID'
        | 'WEBHOOK_TIMESTAMP_OUT_OF_RANGE';
      message: string;
    };

export interface SignedDelivery {
  scheme: WebhookScheme;
  /** Lower-case header name → value. */
  header(name: string): string | undefined;
  body: Buffer;
  /** Signing keys, as bytes; any of them may have signed. */
  keys: readonly Buffer[];
  /** Now, ms since epoch. */
  now: number;
  /** How far the signed timestamp may be from now, either way (standard scheme). */
  toleranceMs: number;
  /** The header naming the delivery (hubSignature256). */
  idHeader: string;
}

const SHA256_BYTES = 32;
const ID = /^[\x21-\x7e]{1,256}$/;
const SECONDS = /^\d{1,15}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const HUB = /^sha256=([0-9a-fA-F]{64})$/;

export function verifyDelivery(delivery: SignedDelivery): Verdict {
  return delivery.scheme === 'standard' ? verifyStandard(delivery) : verifyHub(delivery);
}

function verifyStandard({ header, body, keys, now, toleranceMs }: SignedDelivery): Verdict {
  const id = header('webhook-id');
  const timestamp = header('webhook-timestamp');
  const signatures = header('webhook-signature');
  const missing = [
    id === undefined && 'webhook-id',
    timestamp === undefined && 'webhook-timestamp',
    signatures === undefined && 'webhook-signature',
  ].filter(Boolean);
  if (id === undefined || timestamp === undefined || signatures === undefined)
    return refuse('WEBHOOK_HEADER_MISSING', `The delivery has no ${missing.join(', ')} header.`);
  if (!ID.test(id)) return refuse('WEBHOOK_HEADER_MALFORMED', 'webhook-id must be 1 to 256 printable characters.');
  if (!SECONDS.test(timestamp)) return refuse('WEBHOOK_HEADER_MALFORMED', 'webhook-timestamp must be Unix seconds.');
  const candidates = parseStandardSignatures(signatures);
  if (candidates === undefined)
    return refuse('WEBHOOK_HEADER_MALFORMED', 'webhook-signature must be space-separated "v1,<base64>" entries.');
  // The signature is checked before the timestamp: an unsigned timestamp says nothing worth reporting.
  const signed = Buffer.concat([Buffer.from(`${id}.${timestamp}.`), body]);
  if (!keys.some((key) => candidates.some((candidate) => sameDigest(hmac(key, signed), candidate))))
    return refuse('WEBHOOK_SIGNATURE_INVALID', 'No signature matches a configured key.');
  const seconds = Number(timestamp);
  if (Math.abs(now - seconds * 1000) > toleranceMs)
    return refuse(
      'WEBHOOK_TIMESTAMP_OUT_OF_RANGE',
      `The signed timestamp is more than ${Math.round(toleranceMs / 1000)} s from the gateway's clock.`,
    );
  return { ok: true, id, timestamp: seconds };
}

function verifyHub({ header, body, keys, idHeader }: SignedDelivery): Verdict {
  const signature = header('x-hub-signature-256');
  const id = header(idHeader);
  if (signature === undefined || id === undefined)
    return refuse(
      'WEBHOOK_HEADER_MISSING',
      `The delivery has no ${signature === undefined ? 'x-hub-signature-256' : idHeader} header.`,
    );
  const hex = HUB.exec(signature.trim())?.[1];
  if (hex === undefined)
    return refuse('WEBHOOK_HEADER_MALFORMED', 'x-hub-signature-256 must be "sha256=<64 hex digits>".');
  if (!ID.test(id)) return refuse('WEBHOOK_HEADER_MALFORMED', `${idHeader} must be 1 to 256 printable characters.`);
  const given = Buffer.from(hex, 'hex');
  if (!keys.some((key) => sameDigest(hmac(key, body), given)))
    return refuse('WEBHOOK_SIGNATURE_INVALID', 'The signature does not match a configured key.');
  return { ok: true, id };
}

/** The v1 signatures of a `webhook-signature` header; other versions are skipped; undefined when the header is not a list of `version,value` entries. */
export function parseStandardSignatures(header: string): Buffer[] | undefined {
  const entries = header.trim().split(/\s+/);
  if (entries.length === 0 || entries.length > 16 || entries[0] === '') return undefined;
  const signatures: Buffer[] = [];
  for (const entry of entries) {
    const comma = entry.indexOf(',');
    if (comma <= 0 || comma === entry.length - 1) return undefined;
    const value = entry.slice(comma + 1);
    if (entry.slice(0, comma) !== 'v1') continue;
    if (!BASE64.test(value)) return undefined;
    signatures.push(Buffer.from(value, 'base64'));
  }
  return signatures;
}

/**
 * A Standard Webhooks secret as key bytes: `whsec_` and base64 (the scheme's
 * form); undefined when it is not that.
 */
export function standardKey(secret: string): Buffer | undefined {
  const encoded = secret.startsWith('whsec_') ? secret.slice(6) : secret;
  if (!BASE64.test(encoded)) return undefined;
  const key = Buffer.from(encoded, 'base64');
  return key.length >= 16 ? key : undefined;
}

/** A Standard Webhooks `webhook-signature` value, for senders (the example service, tests). */
export function signStandard(key: Buffer, id: string, timestampSeconds: number, body: Buffer | string): string {
  return `v1,${hmac(key, Buffer.concat([Buffer.from(`${id}.${timestampSeconds}.`), Buffer.from(body)])).toString('base64')}`;
}

/** An `X-Hub-Signature-256` value, for senders. */
export function signHub(key: Buffer, body: Buffer | string): string {
  return `sha256=${hmac(key, Buffer.from(body)).toString('hex')}`;
}

function hmac(key: Buffer, data: Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** Constant time for digests of the right length; another length is refused before `timingSafeEqual`, which would throw (the length is no secret). */
function sameDigest(expected: Buffer, given: Buffer): boolean {
  return given.length === SHA256_BYTES && timingSafeEqual(expected, given);
}

function refuse(code: Exclude<Verdict, { ok: true }>['code'], message: string): Verdict {
  return { ok: false, code, message };
}
