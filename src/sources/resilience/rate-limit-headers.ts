/**
 * Reads an upstream's rate-limit state from its answer: `X-RateLimit-Limit /
 * -Remaining / -Reset` (reset as seconds from now, or as a Unix time), the
 * IETF draft's `RateLimit-Limit / -Remaining / -Reset`, its combined
 * `RateLimit: limit=…, remaining=…, reset=…`, and the structured
 * `RateLimit: "policy";r=…;t=…` with `RateLimit-Policy: "policy";q=…;w=…`.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface RateLimitReading {
  remaining: number;
  /** ms from now until the window resets */
  resetInMs: number;
  limit?: number;
}

/** Resets above this are Unix times, below it seconds from now (30 years of seconds is far beyond any window). */
const UNIX_TIME_THRESHOLD = 1e9;

export function readRateLimit(headers: IncomingHttpHeaders, now = Date.now()): RateLimitReading | undefined {
  const get = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const number = (text: string | undefined) =>
    text !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) : undefined;
  const resetMs = (seconds: number | undefined) =>
    seconds === undefined
      ? undefined
      : seconds > UNIX_TIME_THRESHOLD
        ? Math.max(0, seconds * 1000 - now)
        : seconds * 1000;

  for (const prefix of ['x-ratelimit-', 'ratelimit-']) {
    const remaining = number(get(`${prefix}remaining`));
    const reset = resetMs(number(get(`${prefix}reset`)));
    if (remaining !== undefined && reset !== undefined)
      return { remaining, resetInMs: reset, limit: number(get(`${prefix}limit`)) };
  }

  const combined = get('ratelimit');
  if (combined === undefined) return undefined;
  const param = (name: string, text: string) => number(new RegExp(`(?:^|[;,\\s])${name}=(\\d+)`).exec(text)?.[1]);
  const remaining = param('remaining', combined) ?? param('r', combined);
  const reset = resetMs(param('reset', combined) ?? param('t', combined));
  if (remaining === undefined || reset === undefined) return undefined;
  const policy = get('ratelimit-policy');
  return { remaining, resetInMs: reset, limit: param('limit', combined) ?? (policy ? param('q', policy) : undefined) };
}
