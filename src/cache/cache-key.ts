/**
 * Cache and dedupe keys: `source | method | canonical URL | identity
 * partition | vary values`. Two requests share an entry only when every
 * part is equal, so one caller's response can never answer another's
 * request for data that depends on who is asking.
 */
import { createHash } from 'node:crypto';
import type { QueryParams } from '../core/upstream-path.ts';

/** Responses fetched with only the gateway's own credential, the same for every caller. */
export const SHARED_PARTITION = 'shared';

export interface KeyParts {
  source: string;
  method: string;
  path: string;
  query?: QueryParams;
  partition: string;
  /** Other forwarded request headers, which the upstream may vary its answer on. */
  vary?: Readonly<Record<string, string>>;
}

export function cacheKey({ source, method, path, query, partition, vary }: KeyParts): string {
  return [source, method, canonicalUrl(path, query), partition, varyPart(vary)].join('|');
}

/**
 * The path with its query parameters in a stable order (auth parameters are
 * never part of it): what URLSearchParams' sort() and toString() give, spelled
 * out, because a cache key is made for every upstream call, hits included
 * (the example graph's query makes 50), and a URLSearchParams is a heavy
 * object to build for one string. The property test holds it to
 * URLSearchParams' output.
 */
export function canonicalUrl(path: string, query?: QueryParams): string {
  if (!query) return path;
  let search = '';
  // Array.prototype.sort compares UTF-16 code units, as URLSearchParams.sort() does; it is stable, as that is.
  for (const key of Object.keys(query).sort()) {
    const value = query[key];
    if (value === null || value === undefined) continue;
    const name = formEncoded(key);
    for (const item of Array.isArray(value) ? (value as ReadonlyArray<string | number | boolean>) : [value])
      search += `${search ? '&' : ''}${name}=${formEncoded(String(item))}`;
  }
  return search ? `${path}?${search}` : path;
}

const FORM_SAFE = /^[\w.*-]*$/;

/** application/x-www-form-urlencoded, as URLSearchParams writes it: only `*-._` and alphanumerics stay, a space is `+`. */
function formEncoded(text: string): string {
  if (FORM_SAFE.test(text)) return text;
  return encodeURIComponent(text.toWellFormed()).replace(/[!'()~]|%20/g, (char) =>
    char === '%20' ? '+' : `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * The partition of a request that forwards the caller's credential: a hash of
 * it (never the credential itself, which must not sit in memory dumps of
 * keys), or `anonymous` when the caller sent none.
 */
export function identityPartition(credential: string | undefined): string {
  if (!credential) return 'anonymous';
  return `id:${createHash('sha256').update(credential).digest('base64url').slice(0, 22)}`;
}

function varyPart(vary: Readonly<Record<string, string>> | undefined): string {
  if (!vary) return '';
  return Object.keys(vary)
    .sort()
    .map((name) => `${name}=${encodeURIComponent(vary[name] ?? '')}`)
    .join('&');
}
