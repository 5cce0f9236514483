/** `@rest`: a field read or written by one upstream call, its body, batch form, pagination, result and error mapping. */
import {
  type ConstDirectiveNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  Kind,
  valueFromASTUntyped,
} from 'graphql';
import type { ValueTemplate } from '../../core/template.ts';
import type { HttpMethod } from '../../core/upstream.ts';
import { connectionNodeType } from '../connection-types.ts';
import { type Arg, arg, dotPath, field, integer, items, text } from '../directive-args.ts';
import type { BodyTemplate, ErrorMappingPlan, RestPlan, TemplateMap } from '../plan.ts';
import { answerFormat } from './answer.ts';
import { argumentDecoding } from './arguments.ts';
import { batchPlan } from './batch.ts';
import type { CompileContext, FieldContext } from './compile-context.ts';
import { errorMembers, restMember } from './discriminate.ts';
import { checkConnectionArgs, paginatePlan } from './paginate.ts';
import { pathTemplate, templateMap, valueTemplate } from './templates.ts';

const PAGINATION_ARGS = new Set(['first', 'after', 'last', 'before']);
export const WRITES: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function compileRest(
  compiler: CompileContext,
  coordinate: string,
  parent: GraphQLObjectType,
  definition: GraphQLField<unknown, unknown>,
  node: ConstDirectiveNode,
): RestPlan | undefined {
  const { schema, sources, diagnostics } = compiler;
  const sourceName = text(arg(node, 'source'));
  const source = sourceName === undefined ? undefined : sources[sourceName];
  if (sourceName !== undefined && !source)
    diagnostics.report(
      arg(node, 'source')?.node,
      `${coordinate} @rest(source): no source "${sourceName}" in the config (sources: ${Object.keys(sources).join(', ') || 'none'}).`,
    );
  const method = (text(arg(node, 'method')) ?? 'GET') as HttpMethod;
  const isRoot = parent === schema.getQueryType() || parent === schema.getMutationType();
  if (parent === schema.getMutationType() && !WRITES.has(method))
    diagnostics.report(
      node,
      `${coordinate} is a mutation: its @rest method must be POST, PUT, PATCH or DELETE, not ${method}.`,
    );
  if (parent !== schema.getMutationType() && WRITES.has(method))
    diagnostics.report(
      arg(node, 'method')?.node,
      `${coordinate} @rest(method: ${method}) writes; writes belong on Mutation fields.`,
    );

  const paginateArg = arg(node, 'paginate');
  const returnType = getNamedType(definition.type);
  const connectionNode = paginateArg ? connectionNodeType(returnType) : undefined;
  if (paginateArg && !connectionNode)
    diagnostics.report(
      definition.astNode?.type,
      `${coordinate} has @rest(paginate) but returns ${returnType.name}: a paginated field returns a connection, e.g. ${returnType.name.replace(/Connection$/, '')}Connection.`,
    );
  const returns = connectionNode ?? returnType;
  const context: FieldContext = {
    compiler,
    coordinate,
    definition,
    parent: isRoot ? undefined : parent,
    returns,
    source,
    sourceName,
  };

  const path = pathTemplate(arg(node, 'path'), `${coordinate} @rest(path)`, context);
  const query = templateMap(arg(node, 'query'), `${coordinate} @rest(query)`, context);
  const headers = templateMap(arg(node, 'headers'), `${coordinate} @rest(headers)`, context);
  checkHeaderNames(headers, arg(node, 'headers'), coordinate, compiler);
  const body = bodyPlan(node, coordinate, method, context);
  const resultArg = arg(node, 'result');
  if (resultArg && isObjectType(returns))
    diagnostics.report(
      resultArg.node,
      `${coordinate} @rest(result) sets a scalar value; ${returns.name} is an object type.`,
    );
  const batch = batchPlan(arg(node, 'batch'), context);
  if (batch && paginateArg)
    diagnostics.report(
      arg(node, 'batch')?.node,
      `${coordinate} @rest has both batch and paginate; a connection's first pages batch with paginate.firstPage.`,
    );
  const paginate = paginateArg && connectionNode ? paginatePlan(paginateArg, context) : undefined;
  if (paginate) checkConnectionArgs(diagnostics, coordinate, definition, paginate);

  const plan: RestPlan = {
    kind: 'rest',
    coordinate,
    decoding: argumentDecoding(definition),
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
    invalidates: items(arg(node, 'invalidates')).flatMap(
      (item) => pathTemplate(item, `${coordinate} @rest(invalidates)`, { ...context, result: true }) ?? [],
    ),
    errors: errorMappings(arg(node, 'errors'), coordinate, returns, compiler),
    maxAgeMs: integer(arg(node, 'maxAge')) === undefined ? undefined : (integer(arg(node, 'maxAge')) as number) * 1000,
    filterArgs: definition.args.map((argument) => argument.name).filter((name) => !PAGINATION_ARGS.has(name)),
    member: restMember(arg(node, 'type'), coordinate, returns, compiler),
    answer: answerFormat(arg(node, 'answer'), coordinate, definition, compiler),
    queryArrays: (text(arg(node, 'queryArrays')) ?? 'REPEAT') as RestPlan['queryArrays'],
    naming: namingOf(arg(node, 'naming'), coordinate, compiler),
  };
  if (plan.invalidates.length > 0 && !WRITES.has(method))
    diagnostics.report(
      arg(node, 'invalidates')?.node,
      `${coordinate} @rest(invalidates) is for writes; a ${method} changes nothing.`,
    );
  return sourceName === undefined ? undefined : plan;
}

/** The body of a write: JSON, a form, multipart parts or one uploaded file; one at most, and only with a method that sends one. */
function bodyPlan(
  node: ConstDirectiveNode,
  coordinate: string,
  method: HttpMethod,
  context: FieldContext,
): RestPlan['body'] {
  const { diagnostics } = context.compiler;
  const bodyArg = arg(node, 'body');
  const formArg = arg(node, 'form');
  const multipartArg = arg(node, 'multipart');
  const uploadArg = arg(node, 'upload');
  const bodies = (['body', 'form', 'multipart', 'upload'] as const).filter((name) => arg(node, name));
  if (bodies.length > 1)
    diagnostics.report(
      arg(node, bodies[1] as string)?.node,
      `${coordinate} @rest has ${bodies.join(' and ')}; a request has one body.`,
    );
  const anyBody = bodyArg ?? formArg ?? multipartArg ?? uploadArg;
  if (anyBody && !WRITES.has(method))
    diagnostics.report(
      anyBody.node,
      `${coordinate} @rest sends a body with ${method}; use POST, PUT, PATCH or DELETE.`,
    );
  return bodyArg
    ? { kind: 'json', value: bodyTemplate(bodyArg, `${coordinate} @rest(body)`, context, true) }
    : formArg
      ? { kind: 'form', fields: templateMap(formArg, `${coordinate} @rest(form)`, context) }
      : multipartArg
        ? { kind: 'multipart', parts: templateMap(multipartArg, `${coordinate} @rest(multipart)`, context) }
        : uploadArg
          ? { kind: 'upload', file: uploadTemplate(uploadArg, `${coordinate} @rest(upload)`, context) }
          : undefined;
}

/** `@rest(errors:)`: each a client error (`code`) or, with `type`, data of a member of the field's union. */
function errorMappings(
  value: Arg | undefined,
  coordinate: string,
  returns: GraphQLNamedType,
  compiler: CompileContext,
): ErrorMappingPlan[] {
  const list = items(value);
  const mappings = list.map(errorMapping);
  mappings.forEach((mapping, index) => {
    const item = list[index] as Arg;
    if (mapping.member === undefined && text(field(item, 'code')) === undefined)
      compiler.diagnostics.report(
        item.node,
        `${coordinate} @rest(errors): each mapping has a code (an error) or a type (data).`,
      );
    if (mapping.member !== undefined && text(field(item, 'code')) !== undefined)
      compiler.diagnostics.report(
        field(item, 'code')?.node,
        `${coordinate} @rest(errors): a mapping has a code or a type, not both.`,
      );
  });
  errorMembers(
    list.map((item) => field(item, 'type')),
    coordinate,
    returns,
    compiler,
  );
  return mappings;
}

/**
 * A JSON body as written: a template, or objects and lists of them nested
 * (`{ order: { items: "$args.items", note: "$args.note" } }`). At the top, a
 * list of `"name: value"` strings is a map, as everywhere a map is taken.
 */
function bodyTemplate(value: Arg, where: string, context: FieldContext, top = false): BodyTemplate {
  const { node } = value;
  if (node.kind === Kind.OBJECT)
    return {
      kind: 'object',
      fields: node.fields.map((entry) => {
        const name = entry.name.value;
        const child = { node: entry.value, value: valueFromASTUntyped(entry.value) };
        return [name, bodyTemplate(child, `${where.slice(0, -1)}.${name})`, context)] as const;
      }),
    };
  if (node.kind === Kind.LIST && top) return { kind: 'object', fields: templateMap(value, where, context) };
  if (node.kind === Kind.LIST)
    return {
      kind: 'list',
      items: node.values.map((item, index) =>
        bodyTemplate({ node: item, value: valueFromASTUntyped(item) }, `${where.slice(0, -1)}.${index})`, context),
      ),
    };
  return valueTemplate(value, where, context);
}

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Headers the HTTP client sets from the request itself: a field setting one would desynchronise the message. */
const CONNECTION_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'upgrade',
  'te',
  'trailer',
  'keep-alive',
  'expect',
]);

function checkHeaderNames(
  headers: TemplateMap,
  value: Arg | undefined,
  coordinate: string,
  { diagnostics }: CompileContext,
): void {
  for (const [name] of headers) {
    if (!HEADER_NAME.test(name))
      diagnostics.report(
        value?.node,
        `${coordinate} @rest(headers): "${name}" is not a header name (letters, digits and !#$%&'*+-.^_\`|~).`,
      );
    else if (CONNECTION_HEADERS.has(name.toLowerCase()) || name.toLowerCase().startsWith('proxy-'))
      diagnostics.report(
        value?.node,
        `${coordinate} @rest(headers): ${name} is set by the HTTP client from the request; a field cannot set it.`,
      );
  }
}

/** `@rest(naming:)`: the field's spelling of upstream names, over its source's. */
function namingOf(value: Arg | undefined, coordinate: string, { diagnostics }: CompileContext): RestPlan['naming'] {
  const naming = text(value);
  if (value === undefined) return undefined;
  if (naming === 'camelCase' || naming === 'snake_case') return naming;
  diagnostics.report(value.node, `${coordinate} @rest(naming) is "camelCase" or "snake_case".`);
  return undefined;
}

/** `$args.file`, an argument of type Upload. */
function uploadTemplate(value: Arg, where: string, context: FieldContext): ValueTemplate {
  const { diagnostics } = context.compiler;
  const template = valueTemplate(value, where, context);
  const argument =
    template.kind === 'reference' && template.reference.scope === 'args'
      ? context.definition.args.find((candidate) => candidate.name === template.reference.path[0])
      : undefined;
  if (!argument || getNamedType(argument.type).name !== 'Upload')
    diagnostics.report(value.node, `${where} is an argument of type Upload: "$args.file".`);
  return template;
}

export function errorMapping(item: Arg): ErrorMappingPlan {
  return {
    status: integer(field(item, 'status')) ?? 0,
    code: (text(field(item, 'code')) ?? 'UPSTREAM_ERROR') as ErrorMappingPlan['code'],
    message: dotPath(field(item, 'message')),
    member: text(field(item, 'type')),
  };
}
