/**
 * When and how long to wait before trying an upstream call again, after the
 * reasoning of undici's RetryHandler: idempotent requests only, on
 * connection failures, 502/503/504 and 429, with exponential backoff. We add
 * what it lacks: full jitter (so that clients hit by one outage do not retry
 * in step), `Retry-After` weighed against the request's deadline, and a
 * retry budget (retry-budget.ts). It is hand-written rather than undici's
 * interceptor because the retry must sit above auth renewal and body
 * decoding, and must know the GraphQL request's deadline.
 */
import type { ErrorCode } from '../../errors.ts';

/** Methods safe to send twice. PUT and DELETE join when the source says its own are idempotent. */
export function mayRetry(
  method: string,
  idempotentMethods: readonly string[],
  headers: Readonly<Record<string, string>> = {},
): boolean {
  if (idempotentMethods.includes(method)) return true;
  // POST/PATCH only with an Idempotency-Key: the upstream then deduplicates a repeat.
  return (method === 'POST' || method === 'PATCH') && hasIdempotencyKey(headers);
}

export function hasIdempotencyKey(headers: Readonly<Record<string, string>> = {}): boolean {
  return Object.keys(headers).some((name) => name.toLowerCase() === 'idempotency-key');
}

const RETRYABLE: ReadonlySet<ErrorCode> = new Set([
  'UPSTREAM_UNAVAILABLE',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_RATE_LIMITED',
]);

/** Connection failures, resets, timeouts, 502/503/504 and 429 are worth another try; a 500 or a bad body is not. */
export function isRetryableFailure(code: ErrorCode, status: number | undefined): boolean {
  return (
    RETRYABLE.has(code) &&
    (status === undefined || status === 429 || status === 502 || status === 503 || status === 504)
  );
}

/** Full jitter: a uniform wait in [0, min(max, base × 2^(attempt-1))). */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(maxMs, baseMs * 2 ** (attempt - 1)));
}

/** `Retry-After` as delay-seconds or an HTTP date, in ms; undefined when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim()) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
