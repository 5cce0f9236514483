/**
 * RFC 8288 `Link` header parsing: `<url>; rel="next", <url>; rel="prev last"`.
 * Hand-written because it is twenty lines and the popular parsers have had
 * catastrophic-backtracking bugs; this one is a single forward scan with
 * bounded input.
 */
export type LinkRelations = Partial<Record<string, string>>;

const MAX_HEADER = 8_192;

export function parseLinkHeader(header: string | string[] | undefined): LinkRelations {
  const text = (Array.isArray(header) ? header.join(',') : (header ?? '')).slice(0, MAX_HEADER);
  const links: LinkRelations = {};
  let rest = text;
  for (;;) {
    const open = rest.indexOf('<');
    const close = rest.indexOf('>', open + 1);
    if (open < 0 || close < 0) break;
    const target = rest.slice(open + 1, close);
    const next = rest.indexOf('<', close + 1);
    const params = rest.slice(close + 1, next < 0 ? undefined : next);
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params);
    for (const name of (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/))
      if (name && links[name] === undefined) links[name] = target;
    if (next < 0) break;
    rest = rest.slice(next);
  }
  return links;
}
