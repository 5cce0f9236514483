/**
 * How a list answer pages, guessed from its parameters and its shape: offset
 * and limit (with a total), page numbers, cursors in the answer, or a Link
 * header. The guess is reported when it is uncertain.
 */
import type { Parameter, Schema } from './document.ts';

/** Parameter names each style is known by, lower-case. */
const PAGING = {
  offset: ['offset', 'skip', 'start'],
  limit: ['limit', 'count', 'size', 'page_size', 'per_page', 'pagesize'],
  page: ['page', 'page_number'],
  cursor: ['cursor', 'after', 'page_token', 'next_token', 'starting_after'],
};

export interface Paging {
  directive: string;
  items: string;
  params: string[];
  backward: boolean;
  guess?: string;
}

/** How a list answer pages, from its parameters and its shape (and a Link header). */
export function pagingOf(
  parameters: Parameter[],
  schema: Schema | undefined,
  headers: Record<string, unknown>,
): Paging | undefined {
  const properties = schema?.properties ?? {};
  // A bare list (GitHub's, with page and per_page and a Link header) pages as itself: its items are the answer.
  const bare = schema !== undefined && (schema.type === 'array' || (schema.items !== undefined && !schema.properties));
  const items = bare
    ? ''
    : Object.entries(properties).find(
        ([, value]) => (value as Schema).type === 'array' || (value as Schema).items,
      )?.[0];
  if (items === undefined) return undefined;
  const itemsArg = items ? `, items: "${items}"` : '';
  const has = (names: string[]) => parameters.find((parameter) => names.includes(parameter.name.toLowerCase()))?.name;
  const field = (names: string[]) => Object.keys(properties).find((name) => names.includes(name.toLowerCase()));
  const offset = has(PAGING.offset);
  const limit = has(PAGING.limit);
  const page = has(PAGING.page);
  const cursor = has(PAGING.cursor);
  const total = field(['total', 'total_count', 'totalcount', 'count']);
  if (cursor) {
    const next = field(['next_cursor', 'next', 'nextcursor', 'next_page_token', 'cursor']);
    const prev = field(['prev_cursor', 'previous_cursor', 'prev', 'previous']);
    // Without a next-cursor field a connection would stop after one page, silently: the list stays a list.
    if (next)
      return {
        directive: `style: CURSOR${itemsArg}, next: "${next}"${prev ? `, prev: "${prev}"` : ''}, param: "${cursor}"${limit ? `, size: "${limit}"` : ''}`,
        items,
        params: [cursor, ...(limit ? [limit] : [])],
        backward: prev !== undefined,
      };
  }
  if (offset && limit)
    return {
      directive: `style: OFFSET${itemsArg}${total ? `, total: "${total}"` : ''}, param: "${offset}", size: "${limit}"`,
      items,
      params: [offset, limit],
      backward: true,
    };
  if (page) {
    const pages = field(['total_pages', 'totalpages', 'pages', 'page_count']);
    const current = field(['page', 'current_page']);
    const size = limit ?? 'per_page';
    return {
      directive: `style: PAGE${itemsArg}${total ? `, total: "${total}"` : ''}${pages ? `, pages: "${pages}"` : ''}${current ? `, current: "${current}"` : ''}, param: "${page}", size: "${size}"`,
      items,
      params: [page, ...(limit ? [limit] : [])],
      backward: true,
      ...(!total &&
        !pages && {
          guess: 'pages by number without a total or page count: the last page is found by reading past it',
        }),
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
