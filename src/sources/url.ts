/**
 * Safe upstream URLs: a fixed origin and prefix from the config, then an
 * encoded path (core/upstream-path.ts: each templated value exactly one
 * segment), then URLSearchParams. User input is never resolved against a
 * base URL (`new URL(input, base)` switches host on `//h` or an absolute
 * URL).
 */
import type { QueryParams, UpstreamPath } from '../core/upstream-path.ts';

export interface BaseUrl {
  /** e.g. `https://api.example.com` */
  readonly origin: string;
  /** e.g. `/v2`, or empty; never ends with a slash */
  readonly prefix: string;
}

export function buildUrl(base: BaseUrl, upstreamPath: UpstreamPath, query?: QueryParams): string {
  const search = query ? toSearchParams(query).toString() : '';
  return `${base.origin}${base.prefix}${upstreamPath}${search ? `?${search}` : ''}`;
}

/** Omits null and undefined; repeats a key for each item of a list. */
export function toSearchParams(query: QueryParams): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === null || value === undefined) continue;
    if (Array.isArray(value))
      for (const item of value as ReadonlyArray<string | number | boolean>) params.append(key, String(item));
    else params.append(key, String(value));
  }
  return params;
}

/**
 * A link an upstream sent (a `Link` header target, resolved against the URL
 * it answered), kept only when it stays on the source's origin and under its
 * path prefix. Returned as a reference relative to the base URL, without the
 * query parameters named in `omit` (the source's own credential).
 */
export function sameSourceRef(
  base: BaseUrl,
  link: string,
  answeredUrl: string,
  omit: readonly string[] = [],
): string | undefined {
  if (!URL.canParse(link, answeredUrl)) return undefined;
  const url = new URL(link, answeredUrl);
  if (url.origin !== base.origin || !underPrefix(base, url.pathname)) return undefined;
  for (const name of omit) url.searchParams.delete(name);
  return `${url.pathname.slice(base.prefix.length)}${url.search}`;
}

/**
 * The request for a reference made by `sameSourceRef`. References come back
 * inside client cursors, so they are checked again as untrusted input.
 */
export function requestForRef(
  base: BaseUrl,
  ref: string,
): { path: UpstreamPath; query: Record<string, string[]> } | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a reference with control characters, spaces, backslashes or a fragment is refused.
  if (!ref.startsWith('/') || ref.startsWith('//') || /[\u0000-\u0020\\#]/.test(ref)) return undefined;
  const full = `${base.origin}${base.prefix}${ref}`;
  if (!URL.canParse(full)) return undefined;
  const url = new URL(full);
  if (
    url.origin !== base.origin ||
    !underPrefix(base, url.pathname) ||
    url.pathname.slice(base.prefix.length) !== ref.split('?')[0]
  )
    return undefined;
  const query: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) (query[name] ??= []).push(value);
  return { path: url.pathname.slice(base.prefix.length) as UpstreamPath, query };
}

function underPrefix(base: BaseUrl, pathname: string): boolean {
  return base.prefix === '' || pathname === base.prefix || pathname.startsWith(`${base.prefix}/`);
}
