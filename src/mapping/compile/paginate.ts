/** `@rest(paginate:)`: a connection over the source's pages, in its style, with its source's defaults; `firstPage` batches many parents' first pages. */
import type { GraphQLField } from 'graphql';
import type { Diagnostics } from '../diagnostics.ts';
import { type Arg, dotPath, field, text } from '../directive-args.ts';
import type { BatchStyle, FirstPagePlan, PaginatePlan, PagingStyle } from '../plan.ts';
import type { FieldContext, SourceInfo } from './compile-context.ts';
import { hasField, pathTemplate, positive, templateMap, valueTemplate } from './templates.ts';

export function paginatePlan(paginate: Arg, context: FieldContext): PaginatePlan | undefined {
  const { diagnostics } = context.compiler;
  const where = `${context.coordinate} @rest(paginate`;
  const defaults = context.source?.pagination;
  const pick = (name: keyof NonNullable<SourceInfo['pagination']>) =>
    dotPath(field(paginate, name)) ?? (defaults?.[name] === undefined ? undefined : String(defaults[name]).split('.'));
  const style = (text(field(paginate, 'style')) ?? defaults?.style) as PagingStyle | undefined;
  if (!style) {
    diagnostics.report(
      paginate.node,
      `${where}) needs a style (OFFSET, PAGE, CURSOR or LINK), here or in the source's pagination config.`,
    );
    return undefined;
  }
  const next = pick('next');
  const prev = pick('prev');
  if (style === 'CURSOR' && !next)
    diagnostics.report(paginate.node, `${where}: CURSOR) needs next: where the next page's cursor is in the answer.`);
  for (const name of ['next', 'prev'] as const)
    if (style !== 'CURSOR' && field(paginate, name))
      diagnostics.report(field(paginate, name)?.node, `${where}.${name}) applies to CURSOR pagination only.`);
  for (const name of ['pages', 'current'] as const)
    if (style !== 'PAGE' && field(paginate, name))
      diagnostics.report(field(paginate, name)?.node, `${where}.${name}) applies to PAGE pagination only.`);
  const firstPageArg = field(paginate, 'firstPage');
  const firstPage = firstPageArg ? firstPagePlan(firstPageArg, context) : undefined;
  const defaultParam = style === 'OFFSET' ? 'offset' : style === 'PAGE' ? 'page' : 'cursor';
  const defaultSize = style === 'PAGE' || style === 'LINK' ? 'per_page' : 'limit';
  const pageSize = positive(
    diagnostics,
    field(paginate, 'pageSize'),
    context.source?.maxPageSize ?? 100,
    `${where}.pageSize)`,
  );
  return {
    style,
    items: pick('items'),
    total: pick('total'),
    pages: pick('pages'),
    current: pick('current'),
    next,
    prev,
    param: text(field(paginate, 'param')) ?? defaults?.param ?? defaultParam,
    size: text(field(paginate, 'size')) ?? defaults?.size ?? defaultSize,
    pageSize,
    firstPage,
    backward: style !== 'CURSOR' || prev !== undefined,
  };
}

export function firstPagePlan(firstPage: Arg, context: FieldContext): FirstPagePlan | undefined {
  const { diagnostics } = context.compiler;
  const where = `${context.coordinate} @rest(paginate.firstPage`;
  const match = text(field(firstPage, 'match'));
  if (match === undefined || !hasField(context.returns, match))
    diagnostics.report(
      field(firstPage, 'match')?.node ?? firstPage.node,
      `${where}.match): ${context.returns.name} has no field "${match ?? ''}" naming each row's parent.`,
    );
  const path = pathTemplate(field(firstPage, 'path'), `${where}.path)`, context);
  const key = field(firstPage, 'key');
  const param = text(field(firstPage, 'param'));
  const size = text(field(firstPage, 'size'));
  if (!path || !key || param === undefined || size === undefined || match === undefined) return undefined;
  return {
    path,
    query: templateMap(field(firstPage, 'query'), `${where}.query)`, context),
    key: valueTemplate(key, `${where}.key)`, context),
    param,
    style: (text(field(firstPage, 'style')) ?? 'REPEAT') as BatchStyle,
    match,
    size,
    items: dotPath(field(firstPage, 'items')),
    max: positive(diagnostics, field(firstPage, 'max'), 100, `${where}.max)`),
  };
}

export function checkConnectionArgs(
  diagnostics: Diagnostics,
  coordinate: string,
  definition: GraphQLField<unknown, unknown>,
  paginate: PaginatePlan,
): void {
  const names = new Set(definition.args.map((argument) => argument.name));
  for (const name of ['first', 'after']) {
    if (!names.has(name))
      diagnostics.report(
        definition.astNode,
        `${coordinate} is a connection: it needs the argument ${name} (first: Int, after: String).`,
      );
  }
  if (!paginate.backward) {
    for (const name of ['last', 'before']) {
      if (names.has(name))
        diagnostics.report(
          definition.args.find((argument) => argument.name === name)?.astNode,
          `${coordinate} declares ${name}, but its source pages forward only (CURSOR without prev).`,
        );
    }
  }
}
