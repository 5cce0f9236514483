/**
 * Safe upstream URLs: a fixed origin and prefix from the config, then fixed
 * path text with each templated value encoded as exactly one segment, then
 * URLSearchParams. User input is never resolved against a base URL
 * (`new URL(input, base)` switches host on `//h` or an absolute URL), and
 * dot segments are refused because `encodeURIComponent` leaves them as they
 * are and every HTTP stack resolves them.
 */
import { badUserInput } from '../errors.ts';

declare const upstreamPathBrand: unique symbol;

/** An encoded path, made only by the `path` template tag. */
export type UpstreamPath = string & { readonly [upstreamPathBrand]: true };

export type QueryValue = string | number | boolean | null | undefined | ReadonlyArray<string | number | boolean>;
export type QueryParams = Readonly<Record<string, QueryValue>>;

export interface BaseUrl {
  /** e.g. `https://api.example.com` */
  readonly origin: string;
  /** e.g. `/v2`, or empty; never ends with a slash */
  readonly prefix: string;
}

/**
 * Tag for upstream paths: path`/users/${id}/articles`. The literal parts are
 * trusted; each value becomes one encoded segment, or a `BAD_USER_INPUT`.
 */
export function path(strings: TemplateStringsArray, ...values: ReadonlyArray<string | number>): UpstreamPath {
  let result = strings[0] ?? '';
  values.forEach((value, i) => {
    result += encodeSegment(value) + (strings[i + 1] ?? '');
  });
  return result as UpstreamPath;
}

/** Encodes one path segment, refusing values that cannot be one. */
export function encodeSegment(value: string | number): string {
  const text = String(value);
  if (text === '' || text === '.' || text === '..') throw badUserInput(`${describe(text)} is not a valid identifier.`);
  // Control characters would split or end the request line; refuse rather than encode.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: it finds control characters, to refuse them.
  if (/[\u0000-\u001f\u007f]/.test(text)) throw badUserInput('An identifier contains a control character.');
  if (text.length > 512) throw badUserInput('An identifier is longer than 512 characters.');
  // A lone surrogate makes encodeURIComponent throw a URIError.
  if (!text.isWellFormed()) throw badUserInput('An identifier is not well-formed Unicode.');
  return encodeURIComponent(text);
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
    if (Array.isArray(value)) for (const item of value as ReadonlyArray<string | number | boolean>) params.append(key, String(item));
    else params.append(key, String(value));
  }
  return params;
}

function describe(text: string): string {
  return text === '' ? 'An empty value' : JSON.stringify(text);
}

/**
 * A link an upstream sent (a `Link` header target, resolved against the URL
 * it answered), kept only when it stays on the source's origin and under its
 * path prefix. Returned as a reference relative to the base URL, without the
 * query parameters named in `omit` (the source's own credential).
 */
export function sameSourceRef(base: BaseUrl, link: string, answeredUrl: string, omit: readonly string[] = []): string | undefined {
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
export function requestForRef(base: BaseUrl, ref: string): { path: UpstreamPath; query: Record<string, string[]> } | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a reference with control characters, spaces, backslashes or a fragment is refused.
  if (!ref.startsWith('/') || ref.startsWith('//') || /[\u0000-\u0020\\#]/.test(ref)) return undefined;
  const full = `${base.origin}${base.prefix}${ref}`;
  if (!URL.canParse(full)) return undefined;
  const url = new URL(full);
  if (url.origin !== base.origin || !underPrefix(base, url.pathname) || url.pathname.slice(base.prefix.length) !== ref.split('?')[0]) return undefined;
  const query: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) (query[name] ??= []).push(value);
  return { path: url.pathname.slice(base.prefix.length) as UpstreamPath, query };
}

function underPrefix(base: BaseUrl, pathname: string): boolean {
  return base.prefix === '' || pathname === base.prefix || pathname.startsWith(`${base.prefix}/`);
}
