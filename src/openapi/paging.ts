/**
 * How a list answer pages, guessed from its parameters and its shape: offset
 * and limit (with a total), page numbers, cursors in the answer, or a Link
 * header. Names are compared without case or separators (`pageSize`,
 * `page_size`, `page[size]` are one name). A page-number parameter under a
 * name of its own (`pg`, `currentPage`) is recognised when the answer
 * counts its pages (`total_pages`, `meta.last_page`). The guess is reported
 * when it is uncertain.
 */
import type { Parameter, Schema } from './document.ts';

/** Parameter and field names each role is known by, as `normalized` spells them. */
const NAMES = {
  offset: ['offset', 'skip', 'start', 'startindex', 'startat'],
  limit: ['limit', 'count', 'size', 'pagesize', 'perpage', 'maxresults', 'pagelen'],
  page: ['page', 'pagenumber', 'pageno', 'pagenum'],
  cursor: ['cursor', 'after', 'pagetoken', 'nexttoken', 'startingafter', 'startcursor'],
  total: ['total', 'totalcount', 'count', 'totalresults', 'totalitems', 'totalentries'],
  pages: ['totalpages', 'pages', 'pagecount', 'lastpage', 'numpages'],
  current: ['page', 'currentpage', 'pagenumber'],
  next: ['nextcursor', 'next', 'nextpagetoken', 'cursor'],
  prev: ['prevcursor', 'previouscursor', 'prev', 'previous'],
};

/** A name as the lists above spell it: lower case, without separators. */
function normalized(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

export interface Paging {
  directive: string;
  items: string;
  params: string[];
  backward: boolean;
  guess?: string;
}

/** How a list answer pages, from its parameters and its shape (and a Link header); `resolve` follows a `$ref`. */
export function pagingOf(
  parameters: Parameter[],
  schema: Schema | undefined,
  headers: Record<string, unknown>,
  resolve: (schema: Schema | undefined) => Schema | undefined = (given) => given,
): Paging | undefined {
  const properties = schema?.properties ?? {};
  // A bare list (GitHub's, with page and per_page and a Link header) pages as itself: its items are the answer.
  const bare = schema !== undefined && (schema.type === 'array' || (schema.items !== undefined && !schema.properties));
  const items = bare
    ? ''
    : Object.entries(properties).find(([, value]) => {
        const resolved = resolve(value as Schema);
        return resolved?.type === 'array' || resolved?.items;
      })?.[0];
  if (items === undefined) return undefined;
  const itemsArg = items ? `, items: "${items}"` : '';
  const has = (names: string[]) => parameters.find((parameter) => names.includes(normalized(parameter.name)))?.name;
  const field = (names: string[]) => fieldPath(properties, names, resolve);
  const limit = has(NAMES.limit);
  const cursor = has(NAMES.cursor);
  const offset = has(NAMES.offset);
  if (cursor) {
    const next = field(NAMES.next);
    const prev = field(NAMES.prev);
    // Without a next-cursor field a connection would stop after one page, silently: the list stays a list.
    if (next)
      return {
        directive: `style: CURSOR${itemsArg}, next: "${next}"${prev ? `, prev: "${prev}"` : ''}, param: "${cursor}"${limit ? `, size: "${limit}"` : ''}`,
        items,
        params: [cursor, ...(limit ? [limit] : [])],
        backward: prev !== undefined,
      };
  }
  const total = field(NAMES.total);
  if (offset && limit)
    return {
      directive: `style: OFFSET${itemsArg}${total ? `, total: "${total}"` : ''}, param: "${offset}", size: "${limit}"`,
      items,
      params: [offset, limit],
      backward: true,
    };
  const pages = field(NAMES.pages);
  const named = has(NAMES.page);
  // A page count in the answer vouches for a page parameter named otherwise: the one integer parameter that says "page".
  const page = named ?? (pages ? pageParameter(parameters, limit) : undefined);
  if (page) {
    const current = field(NAMES.current);
    const size = limit ?? 'per_page';
    const guesses = [
      ...(named ? [] : [`pages by number through "${page}", a name of its own, as "${pages}" counts pages`]),
      ...(!total && !pages
        ? ['pages by number without a total or page count: the last page is found by reading past it']
        : []),
    ];
    return {
      directive: `style: PAGE${itemsArg}${total ? `, total: "${total}"` : ''}${pages ? `, pages: "${pages}"` : ''}${current ? `, current: "${current}"` : ''}, param: "${page}", size: "${size}"`,
      items,
      params: [page, ...(limit ? [limit] : [])],
      backward: true,
      ...(guesses.length > 0 && { guess: guesses.join('; ') }),
    };
  }
  if (Object.keys(headers).some((name) => name.toLowerCase() === 'link'))
    return {
      directive: `style: LINK${itemsArg}${limit ? `, size: "${limit}"` : ''}`,
      items,
      params: limit ? [limit] : [],
      backward: true,
      guess: 'pages by Link header',
    };
  return undefined;
}

/** The first field known by one of `names`, at the answer's top level or in one of its objects (`meta.last_page`). */
function fieldPath(
  properties: Record<string, Schema>,
  names: string[],
  resolve: (schema: Schema | undefined) => Schema | undefined,
): string | undefined {
  const own = Object.keys(properties).find((name) => names.includes(normalized(name)));
  if (own) return own;
  for (const [name, value] of Object.entries(properties)) {
    if (name.includes('.')) continue;
    const inner = Object.keys(resolve(value)?.properties ?? {}).find(
      (key) => names.includes(normalized(key)) && !key.includes('.'),
    );
    if (inner) return `${name}.${inner}`;
  }
  return undefined;
}

/** The one integer query parameter whose name says page (`currentPage`, `pg`, `p`), other than the page size. */
function pageParameter(parameters: Parameter[], limit: string | undefined): string | undefined {
  const candidates = parameters.filter((parameter) => {
    const name = normalized(parameter.name);
    const saysPage = (name.includes('page') && !NAMES.limit.includes(name)) || ['p', 'pg', 'pn', 'pno'].includes(name);
    return parameter.name !== limit && saysPage && parameter.schema?.type === 'integer';
  });
  return candidates.length === 1 ? candidates[0]?.name : undefined;
}
