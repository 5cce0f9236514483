/**
 * Compiles a graph's mapping directives into per-field plans, checking each
 * against the SDL and the configured sources. Every problem is collected
 * with its file, line and column (a template's column points into the
 * string, at the reference), so that `graftql check` and start-up report
 * them all at once.
 */
import {
  type ASTNode,
  type ConstDirectiveNode,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isInputObjectType,
  isListType,
  isObjectType,
  valueFromAST,
} from 'graphql';
import type { SourceConfig } from '../config/config-schema.ts';
import { type PathTemplate, parsePathTemplate, parseValueTemplate, type Reference, referencesIn, TemplateError, type ValueTemplate } from '../core/template.ts';
import type { HttpMethod } from '../core/upstream.ts';
import type { Diagnostics } from './diagnostics.ts';
import { type Arg, arg, directive, dotPath, entries, field, integer, items, text } from './directive-args.ts';
import type { BatchPlan, BatchStyle, ErrorMappingPlan, EventPlan, FieldPlan, FirstPagePlan, NodePlan, PaginatePlan, PagingStyle, RestPlan, TemplateMap } from './plan.ts';

/** What the compiler needs to know of a configured source. */
export type SourceInfo = Pick<SourceConfig, 'forwardHeaders' | 'maxPageSize' | 'pagination'>;

export interface CompiledMapping {
  /** By `Type.field`. */
  plans: Map<string, FieldPlan>;
  /** By type name. */
  nodes: Map<string, NodePlan>;
  /** `Type.field`s mapped from records but not served. */
  internal: Set<string>;
}

const PAGINATION_ARGS = new Set(['first', 'after', 'last', 'before']);
const WRITES: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const CONVERSION_TARGETS: Record<string, ReadonlySet<string>> = {
  NUMBER: new Set(['Int', 'Float', 'ID', 'String']),
  STRING: new Set(['String', 'ID']),
  ROUNDED: new Set(['Int', 'Float']),
  DATE_TIME_FROM_UNIX_SECONDS: new Set(['String']),
  DATE_TIME_FROM_UNIX_MILLISECONDS: new Set(['String']),
};

export function compileMapping(schema: GraphQLSchema, sources: Readonly<Record<string, SourceInfo>>, handWritten: ReadonlySet<string>, diagnostics: Diagnostics): CompiledMapping {
  const plans = new Map<string, FieldPlan>();
  const nodes = new Map<string, NodePlan>();
  const internal = new Set<string>();
  const refs: Array<() => void> = [];
  const objectTypes = Object.values(schema.getTypeMap()).filter((type): type is GraphQLObjectType => isObjectType(type) && !type.name.startsWith('__'));

  for (const type of objectTypes) {
    const nodeDirective = directive(type.astNode?.directives, 'node');
    if (nodeDirective) nodes.set(type.name, { key: text(arg(nodeDirective, 'key')) ?? 'id', fetch: text(arg(nodeDirective, 'fetch')) });
  }

  for (const type of objectTypes) {
    for (const definition of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${definition.name}`;
      const directives = definition.astNode?.directives;
      const rest = directive(directives, 'rest');
      const ref = directive(directives, 'ref');
      const event = directive(directives, 'event');
      const from = directive(directives, 'from');
      const isSubscription = type === schema.getSubscriptionType();
      if (directive(directives, 'internal')) {
        internal.add(coordinate);
        if (rest || ref) diagnostics.report(definition.astNode, `${coordinate} is @internal: it is read from the record, so it cannot have @rest or @ref.`);
      }
      if (rest && ref) diagnostics.report(ref, `${coordinate} has both @rest and @ref; keep one.`);
      if (event && !isSubscription) diagnostics.report(event, `${coordinate} has @event, which feeds Subscription fields only.`);
      if (isSubscription && (rest || ref)) diagnostics.report(rest ?? ref, `${coordinate} is a subscription: it is fed by @event, not @${rest ? 'rest' : 'ref'}.`);
      if (event && handWritten.has(coordinate)) diagnostics.report(event, `${coordinate} has a hand-written resolver and @event; keep one.`);
      if (isSubscription) {
        if (event) refs.push(() => compileEvent(coordinate, definition, event));
        else if (!handWritten.has(coordinate) && !rest && !ref)
          diagnostics.report(definition.astNode, `${coordinate} has no @event mapping and no hand-written resolver: it would never send anything.`);
        continue;
      }
      if ((rest || ref) && handWritten.has(coordinate)) diagnostics.report(rest ?? ref, `${coordinate} has a hand-written resolver and a mapping directive; keep one.`);
      if (from && (rest || ref)) diagnostics.report(from, `${coordinate} is resolved by @${rest ? 'rest' : 'ref'}; @from applies to fields read from a record.`);
      if (from) checkFrom(coordinate, definition, from, diagnostics);
      if (rest) {
        const plan = compileRest(coordinate, type, definition, rest);
        if (plan) plans.set(coordinate, plan);
      } else if (ref) {
        refs.push(() => {
          const plan = compileRef(coordinate, type, definition, ref);
          if (plan) plans.set(coordinate, plan);
        });
      } else if ((type === schema.getQueryType() || type === schema.getMutationType()) && !handWritten.has(coordinate) && !(coordinate === 'Query.node' && nodes.size > 0)) {
        diagnostics.report(definition.astNode, `${coordinate} has no @rest or @ref mapping and no hand-written resolver: it would always be null.`);
      }
    }
  }
  for (const compile of refs) compile();
  checkNodes();
  checkGlobalIds();
  return { plans, nodes, internal };

  function compileRest(coordinate: string, parent: GraphQLObjectType, definition: GraphQLField<unknown, unknown>, node: ConstDirectiveNode): RestPlan | undefined {
    const sourceName = text(arg(node, 'source'));
    const source = sourceName === undefined ? undefined : sources[sourceName];
    if (sourceName !== undefined && !source)
      diagnostics.report(arg(node, 'source')?.node, `${coordinate} @rest(source): no source "${sourceName}" in the config (sources: ${Object.keys(sources).join(', ') || 'none'}).`);
    const method = (text(arg(node, 'method')) ?? 'GET') as HttpMethod;
    const isRoot = parent === schema.getQueryType() || parent === schema.getMutationType();
    if (parent === schema.getMutationType() && !WRITES.has(method)) diagnostics.report(node, `${coordinate} is a mutation: its @rest method must be POST, PUT, PATCH or DELETE, not ${method}.`);
    if (parent !== schema.getMutationType() && WRITES.has(method)) diagnostics.report(arg(node, 'method')?.node, `${coordinate} @rest(method: ${method}) writes; writes belong on Mutation fields.`);

    const paginateArg = arg(node, 'paginate');
    const returnType = getNamedType(definition.type);
    const connectionNode = paginateArg ? connectionNodeType(returnType) : undefined;
    if (paginateArg && !connectionNode)
      diagnostics.report(
        definition.astNode?.type,
        `${coordinate} has @rest(paginate) but returns ${returnType.name}: a paginated field returns a connection, e.g. ${returnType.name.replace(/Connection$/, '')}Connection.`,
      );
    const returns = connectionNode ?? returnType;
    const context: TemplateContext = { coordinate, definition, parent: isRoot ? undefined : parent, returns, source, sourceName };

    const path = pathTemplate(arg(node, 'path'), `${coordinate} @rest(path)`, context);
    const query = templateMap(arg(node, 'query'), `${coordinate} @rest(query)`, context);
    const headers = templateMap(arg(node, 'headers'), `${coordinate} @rest(headers)`, context);
    const bodyArg = arg(node, 'body');
    const formArg = arg(node, 'form');
    const multipartArg = arg(node, 'multipart');
    const uploadArg = arg(node, 'upload');
    const bodies = (['body', 'form', 'multipart', 'upload'] as const).filter((name) => arg(node, name));
    if (bodies.length > 1) diagnostics.report(arg(node, bodies[1] as string)?.node, `${coordinate} @rest has ${bodies.join(' and ')}; a request has one body.`);
    const anyBody = bodyArg ?? formArg ?? multipartArg ?? uploadArg;
    if (anyBody && !WRITES.has(method)) diagnostics.report(anyBody.node, `${coordinate} @rest sends a body with ${method}; use POST, PUT, PATCH or DELETE.`);
    const body: RestPlan['body'] = bodyArg
      ? { kind: 'json', value: typeof bodyArg.value === 'string' ? valueTemplate(bodyArg, `${coordinate} @rest(body)`, context) : templateMap(bodyArg, `${coordinate} @rest(body)`, context) }
      : formArg
        ? { kind: 'form', fields: templateMap(formArg, `${coordinate} @rest(form)`, context) }
        : multipartArg
          ? { kind: 'multipart', parts: templateMap(multipartArg, `${coordinate} @rest(multipart)`, context) }
          : uploadArg
            ? { kind: 'upload', file: uploadTemplate(uploadArg, `${coordinate} @rest(upload)`, context) }
            : undefined;
    const resultArg = arg(node, 'result');
    if (resultArg && isObjectType(returns)) diagnostics.report(resultArg.node, `${coordinate} @rest(result) sets a scalar value; ${returns.name} is an object type.`);
    const batch = batchPlan(arg(node, 'batch'), context);
    if (batch && paginateArg) diagnostics.report(arg(node, 'batch')?.node, `${coordinate} @rest has both batch and paginate; a connection's first pages batch with paginate.firstPage.`);
    const paginate = paginateArg && connectionNode ? paginatePlan(paginateArg, context) : undefined;
    if (paginate) checkConnectionArgs(coordinate, definition, paginate);

    const plan: RestPlan = {
      kind: 'rest',
      coordinate,
      returns: returns.name,
      list: isListType(getNullableType(definition.type)),
      source: sourceName ?? '',
      method,
      path: path ?? { parts: ['/'], text: '/' },
      query,
      headers,
      body,
      selection: dotPath(arg(node, 'selection')),
      batch,
      paginate,
      result: resultArg ? valueTemplate(resultArg, `${coordinate} @rest(result)`, context) : undefined,
      invalidates: items(arg(node, 'invalidates')).flatMap((item) => pathTemplate(item, `${coordinate} @rest(invalidates)`, { ...context, result: true }) ?? []),
      errors: items(arg(node, 'errors')).map(errorMapping),
      maxAgeMs: integer(arg(node, 'maxAge')) === undefined ? undefined : (integer(arg(node, 'maxAge')) as number) * 1000,
      filterArgs: definition.args.map((argument) => argument.name).filter((name) => !PAGINATION_ARGS.has(name)),
    };
    if (plan.invalidates.length > 0 && !WRITES.has(method)) diagnostics.report(arg(node, 'invalidates')?.node, `${coordinate} @rest(invalidates) is for writes; a ${method} changes nothing.`);
    return sourceName === undefined ? undefined : plan;
  }

  /** `$args.file`, an argument of type Upload. */
  function uploadTemplate(value: Arg, where: string, context: TemplateContext): ValueTemplate {
    const template = valueTemplate(value, where, context);
    const argument = template.kind === 'reference' && template.reference.scope === 'args' ? context.definition.args.find((candidate) => candidate.name === template.reference.path[0]) : undefined;
    if (!argument || getNamedType(argument.type).name !== 'Upload') diagnostics.report(value.node, `${where} is an argument of type Upload: "$args.file".`);
    return template;
  }

  function batchPlan(batch: Arg | undefined, context: TemplateContext): BatchPlan | undefined {
    if (!batch) return undefined;
    const where = `${context.coordinate} @rest(batch`;
    const key = field(batch, 'key');
    const match = text(field(batch, 'match')) ?? 'id';
    const param = text(field(batch, 'param'));
    if (!hasField(context.returns, match)) diagnostics.report(field(batch, 'match')?.node ?? batch.node, `${where}.match): ${context.returns.name} has no field "${match}" to match rows to keys by.`);
    if (param === undefined) diagnostics.report(batch.node, `${where}) needs param: the query parameter or body field that carries the keys.`);
    return {
      key: key ? valueTemplate(key, `${where}.key)`, context) : { kind: 'literal', value: undefined },
      param: param ?? '',
      style: (text(field(batch, 'style')) ?? 'REPEAT') as BatchStyle,
      match,
      max: positive(field(batch, 'max'), 100, `${where}.max)`),
    };
  }

  function paginatePlan(paginate: Arg, context: TemplateContext): PaginatePlan | undefined {
    const where = `${context.coordinate} @rest(paginate`;
    const defaults = context.source?.pagination;
    const pick = (name: keyof NonNullable<SourceInfo['pagination']>) => dotPath(field(paginate, name)) ?? (defaults?.[name] === undefined ? undefined : String(defaults[name]).split('.'));
    const style = (text(field(paginate, 'style')) ?? defaults?.style) as PagingStyle | undefined;
    if (!style) {
      diagnostics.report(paginate.node, `${where}) needs a style (OFFSET, PAGE, CURSOR or LINK), here or in the source's pagination config.`);
      return undefined;
    }
    const next = pick('next');
    const prev = pick('prev');
    if (style === 'CURSOR' && !next) diagnostics.report(paginate.node, `${where}: CURSOR) needs next: where the next page's cursor is in the answer.`);
    for (const name of ['next', 'prev'] as const)
      if (style !== 'CURSOR' && field(paginate, name)) diagnostics.report(field(paginate, name)?.node, `${where}.${name}) applies to CURSOR pagination only.`);
    for (const name of ['pages', 'current'] as const)
      if (style !== 'PAGE' && field(paginate, name)) diagnostics.report(field(paginate, name)?.node, `${where}.${name}) applies to PAGE pagination only.`);
    const firstPageArg = field(paginate, 'firstPage');
    const firstPage = firstPageArg ? firstPagePlan(firstPageArg, context) : undefined;
    const defaultParam = style === 'OFFSET' ? 'offset' : style === 'PAGE' ? 'page' : 'cursor';
    const defaultSize = style === 'PAGE' || style === 'LINK' ? 'per_page' : 'limit';
    const pageSize = positive(field(paginate, 'pageSize'), context.source?.maxPageSize ?? 100, `${where}.pageSize)`);
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

  function firstPagePlan(firstPage: Arg, context: TemplateContext): FirstPagePlan | undefined {
    const where = `${context.coordinate} @rest(paginate.firstPage`;
    const match = text(field(firstPage, 'match'));
    if (match === undefined || !hasField(context.returns, match))
      diagnostics.report(field(firstPage, 'match')?.node ?? firstPage.node, `${where}.match): ${context.returns.name} has no field "${match ?? ''}" naming each row's parent.`);
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
      max: positive(field(firstPage, 'max'), 100, `${where}.max)`),
    };
  }

  function checkConnectionArgs(coordinate: string, definition: GraphQLField<unknown, unknown>, paginate: PaginatePlan): void {
    const names = new Set(definition.args.map((argument) => argument.name));
    for (const name of ['first', 'after']) {
      if (!names.has(name)) diagnostics.report(definition.astNode, `${coordinate} is a connection: it needs the argument ${name} (first: Int, after: String).`);
    }
    if (!paginate.backward) {
      for (const name of ['last', 'before']) {
        if (names.has(name))
          diagnostics.report(definition.args.find((argument) => argument.name === name)?.astNode, `${coordinate} declares ${name}, but its source pages forward only (CURSOR without prev).`);
      }
    }
  }

  function compileRef(coordinate: string, parent: GraphQLObjectType, definition: GraphQLField<unknown, unknown>, node: ConstDirectiveNode): FieldPlan | undefined {
    const isRoot = parent === schema.getQueryType() || parent === schema.getMutationType();
    const context: TemplateContext = { coordinate, definition, parent: isRoot ? undefined : parent, returns: getNamedType(definition.type), source: undefined, sourceName: undefined };
    const target = queryCall(arg(node, 'query'), arg(node, 'args'), node, '@ref', context);
    return target && { kind: 'ref', coordinate, ...target };
  }

  function compileEvent(coordinate: string, definition: GraphQLField<unknown, unknown>, node: ConstDirectiveNode): void {
    const sourceName = text(arg(node, 'source'));
    if (sourceName !== undefined && !sources[sourceName])
      diagnostics.report(arg(node, 'source')?.node, `${coordinate} @event(source): no source "${sourceName}" in the config (sources: ${Object.keys(sources).join(', ') || 'none'}).`);
    const types = items(arg(node, 'types')).flatMap((item) => text(item) ?? []);
    if (types.length === 0) diagnostics.report(arg(node, 'types')?.node ?? node, `${coordinate} @event(types) names at least one event type.`);
    const context: TemplateContext = { coordinate, definition, parent: undefined, returns: getNamedType(definition.type), source: undefined, sourceName: undefined, event: true };
    const filter = templateMap(arg(node, 'filter'), `${coordinate} @event(filter)`, context);
    for (const [name] of filter) {
      if (!definition.args.some((argument) => argument.name === name)) diagnostics.report(arg(node, 'filter')?.node, `${coordinate} @event(filter): ${coordinate} has no argument "${name}".`);
    }
    const fetchArg = arg(node, 'fetch');
    const fetch = fetchArg ? queryCall(field(fetchArg, 'query'), field(fetchArg, 'args'), fetchArg.node, '@event(fetch', context) : undefined;
    if (sourceName === undefined || (fetchArg && !fetch)) return;
    const plan: EventPlan = { kind: 'event', coordinate, source: sourceName, types, selection: dotPath(arg(node, 'selection')) ?? ['data'], filter, fetch };
    plans.set(coordinate, plan);
  }

  /** A call of a Query field with a @rest mapping, as @ref and @event(fetch) make one: the field must exist and return the same type, and get its required arguments. */
  function queryCall(queryArg: Arg | undefined, argsArg: Arg | undefined, node: ASTNode, where: string, context: TemplateContext): { query: string; args: TemplateMap } | undefined {
    const { coordinate, definition } = context;
    const queryName = text(queryArg);
    const target = queryName === undefined ? undefined : plans.get(`Query.${queryName}`);
    const targetField = queryName === undefined ? undefined : schema.getQueryType()?.getFields()[queryName];
    const at = `${coordinate} ${where}`;
    const close = where.includes('(') ? '.' : '(';
    if (target?.kind !== 'rest' || !targetField) {
      diagnostics.report(queryArg?.node ?? node, `${at}${close}query): Query.${queryName ?? ''} is not a field with a @rest mapping.`);
      return undefined;
    }
    if (getNamedType(targetField.type) !== getNamedType(definition.type)) {
      diagnostics.report(queryArg?.node, `${coordinate} returns ${getNamedType(definition.type).name} but Query.${queryName} returns ${getNamedType(targetField.type).name}.`);
    }
    const given = templateMap(argsArg, `${at}${close}args)`, context);
    for (const [name] of given) {
      if (!targetField.args.some((argument) => argument.name === name)) diagnostics.report(argsArg?.node, `${at}${close}args): Query.${queryName} has no argument "${name}".`);
    }
    for (const argument of targetField.args) {
      const required = argument.type.toString().endsWith('!') && argument.defaultValue === undefined;
      if (required && !given.some(([name]) => name === argument.name)) diagnostics.report(argsArg?.node ?? node, `${at}${close}args) must give ${argument.name}, which Query.${queryName} requires.`);
    }
    return { query: `Query.${queryName}`, args: given };
  }

  function errorMapping(item: Arg): ErrorMappingPlan {
    return { status: integer(field(item, 'status')) ?? 0, code: (text(field(item, 'code')) ?? 'UPSTREAM_ERROR') as ErrorMappingPlan['code'], message: dotPath(field(item, 'message')) };
  }

  function positive(value: Arg | undefined, fallback: number, where: string): number {
    if (!value) return fallback;
    const number = integer(value);
    if (number === undefined || number < 1) {
      diagnostics.report(value.node, `${where} must be a positive integer.`);
      return fallback;
    }
    return number;
  }

  function pathTemplate(value: Arg | undefined, where: string, context: TemplateContext & { result?: boolean }): PathTemplate | undefined {
    const source = text(value);
    if (source === undefined) return undefined;
    try {
      const template = parsePathTemplate(source);
      checkReferences(referencesIn(template), value?.node, where, context);
      return template;
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      diagnostics.report(value?.node, `${where}: ${error.message}`, error.offset);
      return undefined;
    }
  }

  /** `shift`: where the template starts in its string (past a list item's `name: `). */
  function valueTemplate(value: Arg, where: string, context: TemplateContext, shift = 0): ValueTemplate {
    try {
      const template = parseValueTemplate(value.value);
      checkReferences(referencesIn(template), value.node, where, context, shift);
      return template;
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      diagnostics.report(value.node, `${where}: ${error.message}`, error.offset + shift);
      return { kind: 'literal', value: undefined };
    }
  }

  function templateMap(value: Arg | undefined, where: string, context: TemplateContext): TemplateMap {
    const found = entries(value);
    if (!found) {
      diagnostics.report(value?.node, `${where} is a map: { name: "value or $template", … }, or a list of "name: value" strings.`);
      return [];
    }
    return found.map(({ name, value: entry, offset }) => [name, valueTemplate(entry, `${where.slice(0, -1)}.${name})`, context, offset)] as const);
  }

  /** Each reference must name something that exists where the template is used. */
  function checkReferences(references: readonly Reference[], node: ASTNode | undefined, where: string, context: TemplateContext & { result?: boolean }, shift = 0): void {
    for (const reference of references) {
      const [name = '', ...rest] = reference.path;
      const report = (message: string) => diagnostics.report(node, `${where}: ${message}`, reference.offset + shift);
      if (reference.scope === 'args') {
        const argument = context.definition.args.find((candidate) => candidate.name === name);
        if (!argument) report(`$args.${name} is not an argument of ${context.coordinate} (arguments: ${context.definition.args.map((candidate) => candidate.name).join(', ') || 'none'}).`);
        else checkInputPath(argument, rest, report);
      } else if (reference.scope === 'parent') {
        if (!context.parent) report(`$parent is not available on a root field: ${context.coordinate} has no parent record.`);
        else {
          const parentField = context.parent.getFields()[name];
          const mapped = parentField && !directive(parentField.astNode?.directives, 'rest') && !directive(parentField.astNode?.directives, 'ref');
          if (!mapped) {
            report(
              parentField
                ? `$parent.${name} is resolved by a mapping, not read from ${context.parent.name}'s record; add an @internal field for the value.`
                : `${context.parent.name} has no field "${name}" to read; add it, or an @internal field, to ${context.parent.name}.`,
            );
          }
        }
      } else if (reference.scope === 'event') {
        if (!context.event) report('$event is only available in @event.');
      } else if (reference.scope === 'header') {
        if (context.source && !context.source.forwardHeaders.includes(name.toLowerCase()))
          report(`$header.${name} is not among the headers source "${context.sourceName}" may see (its forwardHeaders: ${context.source.forwardHeaders.join(', ') || 'none'}).`);
      } else if (!context.result) {
        report('$result is only available in invalidates.');
      } else if (!hasField(context.returns, name)) {
        report(`${context.returns.name} has no field "${name}".`);
      }
    }
  }

  function checkNodes(): void {
    for (const [typeName, node] of nodes) {
      const type = schema.getType(typeName) as GraphQLObjectType;
      const at = directive(type.astNode?.directives, 'node');
      if (!hasField(type, node.key)) diagnostics.report(arg(at, 'key')?.node ?? at, `${typeName} @node(key): ${typeName} has no field "${node.key}".`);
      if (!type.getFields().id) diagnostics.report(at, `${typeName} @node: the type needs an id: ID! field for its global id.`);
      if (type.getInterfaces().some((iface) => iface.name === 'Node') && !node.fetch)
        diagnostics.report(at, `${typeName} implements Node, so @node needs fetch: the Query field that loads one by id.`);
      if (node.fetch === undefined) continue;
      const fetch = schema.getQueryType()?.getFields()[node.fetch];
      if (!fetch || getNamedType(fetch.type) !== type || !fetch.args.some((argument) => argument.name === 'id')) {
        diagnostics.report(arg(at, 'fetch')?.node, `${typeName} @node(fetch): Query.${node.fetch} must exist, return ${typeName} and take an id argument.`);
      }
    }
  }

  function checkGlobalIds(): void {
    for (const type of Object.values(schema.getTypeMap())) {
      const holders: Array<GraphQLArgument | { name: string; astNode: { directives?: readonly ConstDirectiveNode[] } | undefined | null }> = [];
      if (isObjectType(type)) for (const definition of Object.values(type.getFields())) holders.push(...definition.args);
      if (isInputObjectType(type)) holders.push(...Object.values(type.getFields()));
      for (const holder of holders) {
        const at = directive(holder.astNode?.directives, 'globalId');
        const target = text(arg(at, 'type'));
        if (at && (target === undefined || !nodes.has(target))) diagnostics.report(arg(at, 'type')?.node ?? at, `@globalId(type: "${target ?? ''}") names a type without @node.`);
      }
    }
  }
}

interface TemplateContext {
  coordinate: string;
  definition: GraphQLField<unknown, unknown>;
  /** The parent type, for $parent; undefined on a root field. */
  parent: GraphQLObjectType | undefined;
  /** The type the field's rows map to (a connection's node type). */
  returns: GraphQLNamedType;
  source: SourceInfo | undefined;
  sourceName: string | undefined;
  /** In @event: `$event` is the event. */
  event?: boolean;
}

/** `$args.input.title`: each name below the argument must be a field of its input type. */
function checkInputPath(argument: GraphQLArgument, path: readonly string[], report: (message: string) => void): void {
  let type: GraphQLInputType = argument.type;
  let described = `$args.${argument.name}`;
  for (const name of path) {
    const named = getNamedType(type);
    if (/^\d+$/.test(name) && isListType(getNullableType(type))) {
      type = (getNullableType(type) as { ofType: GraphQLInputType }).ofType;
      continue;
    }
    const inputField = isInputObjectType(named) ? named.getFields()[name] : undefined;
    if (!inputField) {
      report(`${described}.${name}: ${named.name} has no field "${name}".`);
      return;
    }
    type = inputField.type;
    described += `.${name}`;
  }
}

function hasField(type: GraphQLNamedType, name: string): boolean {
  return isObjectType(type) && name in type.getFields();
}

/** The node type of a connection type: `XConnection { edges: [XEdge] }`, `XEdge { node: X }`. */
export function connectionNodeType(type: GraphQLNamedType): GraphQLNamedType | undefined {
  if (!isObjectType(type)) return undefined;
  const edges = type.getFields().edges;
  const edge = edges && isListType(getNullableType(edges.type)) ? getNamedType(edges.type) : undefined;
  const node = edge && isObjectType(edge) ? edge.getFields().node : undefined;
  return node ? getNamedType(node.type) : undefined;
}

function checkFrom(coordinate: string, definition: GraphQLField<unknown, unknown>, node: ConstDirectiveNode, diagnostics: Diagnostics): void {
  if (arg(node, 'value')) diagnostics.report(arg(node, 'value')?.node, `${coordinate} @from(value) is for enum values; a field takes path and as.`);
  const path = arg(node, 'path');
  if (
    path &&
    (text(path) === undefined ||
      text(path)
        ?.split('.')
        .some((part) => part === ''))
  )
    diagnostics.report(path.node, `${coordinate} @from(path) is a dot path such as "main.temp".`);
  const as = text(arg(node, 'as'));
  const target = getNamedType(definition.type).name;
  if (as && CONVERSION_TARGETS[as] && !CONVERSION_TARGETS[as].has(target) && !isCustomScalarName(target))
    diagnostics.report(arg(node, 'as')?.node, `${coordinate} @from(as: ${as}) makes a ${[...CONVERSION_TARGETS[as]].join(' or ')}; the field is ${target}.`);
}

function isCustomScalarName(name: string): boolean {
  return !['String', 'Int', 'Float', 'Boolean', 'ID'].includes(name) && !name.startsWith('__');
}

/** Checks the enum-typed and input-typed arguments of our directives against their declared types. */
export function checkDirectiveValues(schema: GraphQLSchema, nodes: Iterable<{ astNode?: { directives?: readonly ConstDirectiveNode[] } | null | undefined }>, diagnostics: Diagnostics): void {
  for (const holder of nodes) {
    for (const used of holder.astNode?.directives ?? []) {
      const definition = schema.getDirective(used.name.value);
      for (const argument of used.arguments ?? []) {
        const declared = definition?.args.find((candidate) => candidate.name === argument.name.value);
        if (declared && valueFromAST(argument.value, declared.type) === undefined) {
          diagnostics.report(argument.value, `@${used.name.value}(${argument.name.value}) expects ${String(declared.type)}.`);
        }
      }
    }
  }
}
