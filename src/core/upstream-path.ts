/**
 * Upstream paths as the gateway builds them: fixed text, with each value
 * encoded as exactly one segment (the `path` tag, and `encodeSegment` for
 * templates), so that no value can add a segment, a query or a host; and
 * the query parameters that go with them. Dot segments are refused because
 * `encodeURIComponent` leaves them as they are and every HTTP stack
 * resolves them. URLs are built from these in sources/url.ts.
 */
import { badUserInput } from '../errors.ts';

declare const upstreamPathBrand: unique symbol;

/** An encoded path, made only by the `path` template tag. */
export type UpstreamPath = string & { readonly [upstreamPathBrand]: true };

export type QueryValue = string | number | boolean | null | undefined | ReadonlyArray<string | number | boolean>;
export type QueryParams = Readonly<Record<string, QueryValue>>;

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

function describe(text: string): string {
  return text === '' ? 'An empty value' : JSON.stringify(text);
}

/** Whether a path is one of `paths`, where a `*` segment (in either) matches any one segment. */
export function pathMatcher(paths: readonly string[]): (path: string) => boolean {
  const targets = new Set(paths.filter((path) => !path.split('/').includes('*')));
  const patterns = paths.filter((path) => path.split('/').includes('*')).map((path) => path.split('/'));
  return (path) => {
    if (targets.has(path)) return true;
    const segments = path.split('/');
    return patterns.some(
      (pattern) =>
        pattern.length === segments.length && pattern.every((part, i) => part === '*' || part === segments[i]),
    );
  };
}
