/**
 * Inbound request rate limits per client, so that one client cannot spend an
 * upstream's whole rate limit or the gateway's time: a token bucket per
 * client identity (a hash of its Authorization header, its address, a
 * header a trusted proxy sets, or its verified token's subject), kept in a bounded LRU so that many clients
 * cannot grow memory without bound. Over it: REQUEST_RATE_LIMITED with the
 * seconds until a request would be admitted again (Retry-After).
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Limits } from '../config/config-schema.ts';
import { GraftError } from '../errors.ts';

type Settings = NonNullable<Limits['clientRateLimit']>;

export interface ClientIdentityParts {
  header(name: string): string | undefined;
  /** The connection's remote address, when the transport knows it. */
  clientAddress: string | undefined;
}

export interface ClientRateLimit {
  /** Admits one request of this client, or throws REQUEST_RATE_LIMITED; by subject, only once the caller is identified. */
  admit(client: ClientIdentityParts): void;
  /** By subject: admits one request of a caller whose token verified (`subject`: issuer and sub), or of its address when it sent none. */
  admitCaller(client: ClientIdentityParts, subject: string | undefined): void;
}

interface Bucket {
  tokens: number;
  /** ms */
  at: number;
}

export function createClientRateLimit(
  { requestsPerSecond, burst = Math.max(1, Math.ceil(requestsPerSecond)), by, maxClients }: Settings,
  now: () => number = Date.now,
): ClientRateLimit {
  const buckets = new LRUCache<string, Bucket>({ max: maxClients });
  const identify = ({ header, clientAddress }: ClientIdentityParts): string => {
    const address = `ip:${clientAddress ?? 'unknown'}`;
    if (by === 'ip' || by === 'subject') return address;
    const value = by === 'authorization' ? header('authorization') : header(by.header);
    return value ? hashed(value) : address;
  };
  const take = (key: string) => {
    const at = now();
    const bucket = buckets.get(key) ?? { tokens: burst, at };
    bucket.tokens = Math.min(burst, bucket.tokens + ((at - bucket.at) / 1000) * requestsPerSecond);
    bucket.at = at;
    buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return;
    }
    const retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / requestsPerSecond));
    throw new GraftError(
      'REQUEST_RATE_LIMITED',
      `Too many requests from this client; try again in ${retryAfterSeconds} s.`,
      {
        retryable: true,
        facts: { retryAfterSeconds },
      },
    );
  };
  return {
    admit(client) {
      if (by !== 'subject') take(identify(client));
    },
    admitCaller(client, subject) {
      if (by === 'subject') take(subject === undefined ? identify(client) : hashed(subject));
    },
  };
}

/** Hashed: the identity map must not hold callers' credentials. */
function hashed(value: string): string {
  return `id:${createHash('sha256').update(value).digest('base64url')}`;
}
