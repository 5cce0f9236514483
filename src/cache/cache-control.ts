/**
 * The `Cache-Control` response directives the cache's own rules need
 * (stale-if-error, RFC 5861, and what rules it out); freshness and
 * storability are http-cache-semantics' (response-cache.ts).
 */
export interface CacheDirectives {
  /** seconds */
  maxAge?: number;
  /** seconds; for shared caches, wins over max-age */
  sMaxAge?: number;
  /** seconds a stale response may be served when the origin fails */
  staleIfError?: number;
  noStore: boolean;
  noCache: boolean;
  private: boolean;
  /** Never served stale (RFC 9111 5.2.2.2): no stale-if-error. */
  mustRevalidate?: true;
  /** The same, for shared caches only. */
  proxyRevalidate?: true;
}

export function parseCacheControl(header: string | string[] | undefined): CacheDirectives {
  const directives: CacheDirectives = { noStore: false, noCache: false, private: false };
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  for (const part of text.split(',')) {
    const [rawName, rawValue] = part.split('=', 2);
    const name = rawName?.trim().toLowerCase();
    const seconds = rawValue === undefined ? undefined : Number(rawValue.trim().replace(/^"|"$/g, ''));
    const valid = seconds !== undefined && Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
    if (name === 'max-age') directives.maxAge = valid;
    else if (name === 's-maxage') directives.sMaxAge = valid;
    else if (name === 'stale-if-error') directives.staleIfError = valid;
    else if (name === 'no-store') directives.noStore = true;
    // `no-cache` (with or without field names): store, but revalidate before every use.
    else if (name === 'no-cache') directives.noCache = true;
    else if (name === 'private') directives.private = true;
    else if (name === 'must-revalidate') directives.mustRevalidate = true;
    else if (name === 'proxy-revalidate') directives.proxyRevalidate = true;
  }
  return directives;
}
