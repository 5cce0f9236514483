/** The `Cache-Control` response directives a gateway cache acts on (RFC 9111, RFC 5861). */
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
  }
  return directives;
}
