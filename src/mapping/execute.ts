/**
 * Resolvers made from plans: what a declared field does per request.
 * - A plain read is one call per distinct request (identical ones in flight
 *   are shared by the source client), at most 8 at a time per field.
 * - A batch form gathers the keys of every parent in the request into one
 *   call per `max` keys, through the request's batch of that shape
 *   (batch.ts), shared by every field with the same request shape
 *   (Query.user and Comment.author both reading `/users?ids=` share one
 *   call); a list fetches its items' batched fields before they resolve
 *   (prefetch, below); a missing key is that field's NOT_FOUND.
 * - A connection runs the pagination adapter of its style; a batched first
 *   page serves the first page of many parents in one call.
 * - A write is sent once, never shared or cached, then drops the cached
 *   reads it makes stale.
 */
import {
  type FieldNode,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  getArgumentValues,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isObjectType,
} from 'graphql';
import { canonicalUrl } from '../cache/cache-key.ts';
import { read } from '../core/dot-path.ts';
import { evaluate, type PathTemplate, type Reference, referencesIn, renderPath, type ValueTemplate } from '../core/template.ts';
import type { QueryValue } from '../core/upstream-path.ts';
import { badUserInput, GraftError } from '../errors.ts';
import { callLimiter } from '../loaders/call-limiter.ts';
import { chainedConnection, firstPageFromBatch } from '../pagination/chained-adapter.ts';
import { type Connection, type ConnectionArgs, countedLater, type Slice, toSlice } from '../pagination/connection.ts';
import type { CursorCodec, CursorScope, ScopeParts } from '../pagination/cursor.ts';
import { firstRangeFromBatch, indexConnection, offsetRanges, pageRanges, type RangeFetcher } from '../pagination/index-adapter.ts';
import { linkHeaderPages } from '../pagination/linked-pages.ts';
import type { BoundSource } from '../sources/request-sources.ts';
import type { SourceAnswer } from '../sources/source-client.ts';
import type { UpstreamRequest } from '../sources/upstream-request.ts';
import { UploadedFile } from '../uploads/uploaded-file.ts';
import { type Batch, batchOf, batchShape, type RowMapping } from './batch.ts';
import { connectionNodeType } from './compile.ts';
import { arg, directive, text } from './directive-args.ts';
import { eventField } from './event-fields.ts';
import type { GatewayContext } from './gateway-context.ts';
import type { FieldPlan, FirstPagePlan, NodePlan, PaginatePlan, Path, RefPlan, RestPlan, TemplateMap } from './plan.ts';
import { DriftError, type MappedObject, type Naming, type RecordMappers, TYPENAME } from './records.ts';
import { fieldsNamed, type SelectionScope, selectedFields } from './selection.ts';

type Resolver = (parent: unknown, args: Record<string, unknown>, context: GatewayContext, info?: GraphQLResolveInfo) => unknown;

export interface ExecutionOptions {
  schema: GraphQLSchema;
  plans: ReadonlyMap<string, FieldPlan>;
  nodes: ReadonlyMap<string, NodePlan>;
  mappers: RecordMappers;
  naming(source: string): Naming;
}

/** Single calls one field may have in flight at once within one request. */
const SINGLE_CALLS_PER_FIELD = 8;

const STATE = Symbol('graftql.mappingState');

/** Per request: the batches by request shape, the single-call limiters by field, the single reads by request. */
interface RequestState {
  batches: Map<string, Batch>;
  limits: Map<string, ReturnType<typeof callLimiter>>;
  reads: Map<string, Promise<SourceAnswer>>;
}

function stateOf(context: GatewayContext): RequestState {
  const holder = context as unknown as { [STATE]?: RequestState };
  holder[STATE] ??= { batches: new Map(), limits: new Map(), reads: new Map() };
  return holder[STATE];
}

export function mappingResolvers({ schema, plans, nodes, mappers, naming }: ExecutionOptions): Record<string, Record<string, unknown>> {
  const resolvers: Record<string, Record<string, unknown>> = {};
  const runners = new Map<string, Resolver>();
  /** Batched fields a list can fetch for all its items, by type and field. */
  const prefetchers = new Map<string, Map<string, Prefetcher>>();
  /** Batched fields whose request is the same for every key: settles the keys given for many parents at once (what a @ref prefetches through). */
  const batchSettlers = new Map<string, BatchSettler>();
  const definitionOf = (coordinate: string) => {
    const [typeName = '', fieldName = ''] = coordinate.split('.');
    return (schema.getType(typeName) as GraphQLObjectType).getFields()[fieldName] as GraphQLField<unknown, unknown>;
  };

  for (const [coordinate, plan] of plans) {
    if (plan.kind === 'rest') runners.set(coordinate, restRunner(plan, definitionOf(coordinate)));
  }
  /** The runner of a @rest field; the compiler checked that every @ref and @node(fetch:) names one. */
  const runnerOf = (coordinate: string) => {
    const runner = runners.get(coordinate);
    if (!runner) throw new Error(`${coordinate} has no @rest plan`);
    return runner;
  };
  for (const [coordinate, plan] of plans) {
    const [typeName = '', fieldName = ''] = coordinate.split('.');
    const decode = argumentDecoder(definitionOf(coordinate));
    if (plan.kind === 'event') {
      const definition = definitionOf(coordinate);
      resolvers[typeName] ??= {};
      resolvers[typeName][fieldName] = eventField(plan, definition, { decode, mapValue: mappers.output(definition.type, naming(plan.source)), runnerOf });
      continue;
    }
    const run = plan.kind === 'rest' ? runnerOf(coordinate) : undefined;
    const resolve: Resolver = run ? (decode ? (parent, args, context, info) => run(parent, decode(args), context, info) : run) : refResolver(plan as RefPlan);
    resolvers[typeName] ??= {};
    resolvers[typeName][fieldName] = resolve;
  }
  for (const plan of plans.values()) if (plan.kind === 'ref') addRefPrefetcher(plan);
  if ([...nodes.values()].some((node) => node.fetch) && schema.getQueryType()?.getFields().node && !plans.has('Query.node')) {
    resolvers.Query = { ...resolvers.Query, node: nodeResolver() };
  }
  for (const type of Object.values(schema.getTypeMap())) {
    if ('resolveType' in type && !type.name.startsWith('__')) resolvers[type.name] = { ...resolvers[type.name], __resolveType: (value: unknown) => (value as Partial<MappedObject>)[TYPENAME] };
    // A batched first page fetches its total only when read: a promise, which a resolver may return but a plain property read by graphql-jit may not.
    if (connectionNodeType(type) && isObjectType(type) && type.getFields().totalCount)
      resolvers[type.name] = { ...resolvers[type.name], totalCount: (connection: Connection<unknown>) => connection.totalCount };
  }
  return resolvers;

  function refResolver(plan: RefPlan): Resolver {
    const readers = plan.args.map(([name, template]) => [name, readerOf(template)] as const);
    const run = runnerOf(plan.query);
    return (parent, args, context, info) => {
      const refArgs: Record<string, unknown> = {};
      for (const [name, readArg] of readers) refArgs[name] = readArg(parent, args, context);
      return run(undefined, refArgs, context, info);
    };
  }

  /**
   * A @ref to a batched field keyed by one of its arguments (`author: User
   * @ref(query: "user", args: { id: "$parent.authorId" })` over a batched
   * `user(id:)`): a list settles its items' keys at once, so each item's
   * reference then resolves synchronously, as a batched field does.
   */
  function addRefPrefetcher(plan: RefPlan): void {
    const target = plans.get(plan.query);
    const settle = batchSettlers.get(plan.query);
    if (target?.kind !== 'rest' || !target.batch || !settle) return;
    const key = target.batch.key;
    if (key.kind !== 'reference' || key.reference.scope !== 'args' || key.reference.op || key.reference.path.length !== 1) return;
    const template = plan.args.find(([name]) => name === key.reference.path[0])?.[1];
    const keyOfParent = template && accessor(template);
    if (!template || !keyOfParent || template.kind !== 'reference' || template.reference.scope !== 'parent') return;
    addPrefetcher(plan.coordinate, { returns: target.returns, fetch: (parents, context) => settle(parents, keyOfParent, context) });
  }

  /** A template read as directly as it allows: a plain reference by a precompiled accessor. */
  function readerOf(template: ValueTemplate): (parent: unknown, args: Record<string, unknown>, context: GatewayContext) => unknown {
    return accessor(template) ?? ((parent, args, context) => evaluate(template, references(parent, args, context, undefined)));
  }

  function nodeResolver(): Resolver {
    return (_parent, args, context, info) => {
      const { type, id } = splitGlobalId(args.id ?? '');
      const fetch = nodes.get(type)?.fetch;
      if (!fetch) throw badUserInput(`${type.slice(0, 32)} objects cannot be fetched by id.`);
      return runnerOf(`Query.${fetch}`)(undefined, { id }, context, info);
    };
  }

  /** A plain reference (no arithmetic) compiled to a direct read; undefined for other templates. */
  function accessor(template: ValueTemplate): ((parent: unknown, args: Record<string, unknown>, context: GatewayContext) => unknown) | undefined {
    if (template.kind !== 'reference' || template.reference.op) return undefined;
    const [name = '', ...rest] = template.reference.path;
    switch (template.reference.scope) {
      case 'args':
        return (_parent, args) => read(args[name], rest);
      case 'parent':
        return rest.length === 0 ? (parent) => mappers.upstreamOf(parent, name) : (parent) => read(mappers.upstreamOf(parent, name), rest);
      case 'header':
        return (_parent, _args, context) => context.header(name.toLowerCase());
      default:
        return undefined;
    }
  }

  /** `$args.…`, `$parent.…`, `$header.…` and `$result.…` as one request sees them. */
  function references(parent: unknown, args: Record<string, unknown>, context: GatewayContext, result: unknown): (reference: Reference) => unknown {
    return ({ scope, path: [name = '', ...rest] }) => {
      if (scope === 'args') return read(args[name], rest);
      if (scope === 'header') return context.header(name.toLowerCase());
      const holder = scope === 'parent' ? parent : result;
      return read(mappers.upstreamOf(holder, name), rest);
    };
  }

  function restRunner(plan: RestPlan, definition: GraphQLField<unknown, unknown>) {
    const sourceNaming = naming(plan.source);
    const rowType = schema.getType(plan.returns);
    const mapValue = mappers.output(definition.type, sourceNaming);
    const mapRow = rowType && 'getFields' in rowType ? mappers.output(rowType as GraphQLObjectType, sourceNaming) : mapValue;
    const bodyType = jsonBodyType(plan, definition);
    const toUpstream = bodyType && mappers.input(bodyType, sourceNaming);
    const lists = new WeakMap<readonly unknown[], readonly unknown[]>();
    const groups = new WeakMap<readonly unknown[], Map<string, ReadonlyMap<string, readonly unknown[]>>>();
    const rows: RowMapping = {
      map: (item, where) => mapRow(item, where),
      mapList(items, where) {
        let mapped = lists.get(items);
        if (!mapped) lists.set(items, (mapped = items.map((item, index) => mapRow(item, `${where}.${index}`))));
        return mapped;
      },
      groupList(items, where, match) {
        let byMatch = groups.get(items);
        if (!byMatch) groups.set(items, (byMatch = new Map()));
        let grouped = byMatch.get(match);
        if (!grouped) {
          const made = new Map<string, unknown[]>();
          for (const item of items) {
            const mapped = mapRow(item, where);
            const key = String(mappers.upstreamOf(mapped, match));
            const group = made.get(key);
            if (group) group.push(mapped);
            else made.set(key, [mapped]);
          }
          byMatch.set(match, (grouped = made));
        }
        return grouped;
      },
      keyOf: (mapped, match) => mappers.upstreamOf(mapped, match),
    };

    const route = routeOf(plan.path);
    /** The request without batch keys or page parameters. */
    const requestOf = (resolve: (reference: Reference) => unknown): UpstreamRequest | undefined => {
      const path = renderPath(plan.path, resolve);
      if (path === undefined) return undefined;
      const request: UpstreamRequest = { method: plan.method, path, route, query: renderQuery(plan.query, resolve), headers: renderHeaders(plan.headers, resolve), cacheTtlMs: plan.maxAgeMs };
      if (plan.body?.kind === 'form') request.form = renderQuery(plan.body.fields, resolve);
      else if (plan.body?.kind === 'json') request.json = renderJson(plan.body.value, resolve, toUpstream);
      else if (plan.body?.kind === 'multipart') request.multipart = renderParts(plan.body.parts, resolve);
      else if (plan.body?.kind === 'upload') request.file = evaluate(plan.body.file, resolve) as UploadedFile;
      return request;
    };
    // A request with no per-parent value is the same for every parent: built, and its batch shape named, once.
    const fixed =
      referencesIn(plan.path).length + [...plan.query, ...plan.headers].filter(([, template]) => template.kind !== 'literal').length === 0 && !plan.body ? requestOf(() => undefined) : undefined;
    const fixedShape = fixed && plan.batch ? batchShape(plan, fixed, plan.batch) : undefined;
    const fixedRead = fixed && !plan.batch ? readKey(plan, fixed) : undefined;

    const drifted = (error: unknown, status?: number): never => {
      throw asUpstreamDrift(error, plan.source, status);
    };
    const call = async (source: BoundSource, request: UpstreamRequest) => {
      try {
        return await source.request(request);
      } catch (error) {
        throw mappedError(plan, error);
      }
    };

    const keyOf = plan.batch && accessor(plan.batch.key);

    /**
     * A batched field runs on every item of a list: it is synchronous, with
     * its key read by a precompiled accessor. When the list prefetched it,
     * its answer is already in and costs no promise at all; otherwise one
     * (the loader's), as a hand-written loader would.
     */
    const batched = (parent: unknown, args: Record<string, unknown>, context: GatewayContext): unknown => {
      const batch = plan.batch as NonNullable<RestPlan['batch']>;
      const resolve = keyOf ? undefined : references(parent, args, context, undefined);
      const key = keyOf ? keyOf(parent, args, context) : evaluate(batch.key, resolve as (reference: Reference) => unknown);
      if (key === null || key === undefined) return plan.list ? [] : null;
      const request = fixed ?? requestOf(resolve ?? references(parent, args, context, undefined));
      if (!request) return null;
      const { batches } = stateOf(context);
      const shape = fixedShape ?? batchShape(plan, request, batch);
      // Every item of a list after the first finds its batch made: the source is bound only for the first.
      const answers = batches.get(shape) ?? batchOf(batches, shape, plan, context.sources[plan.source] as BoundSource, request, batch, call, rows);
      const id = String(key);
      const answer = answers.settled.get(id);
      if (answer === undefined) return answers.load(id);
      if (answer instanceof Error) throw answer;
      return answer;
    };
    if (plan.batch && fixed && fixedShape && keyOf) {
      const batch = plan.batch;
      const settle: BatchSettler = async (parents, keyOfParent, context) => {
        const answers = batchOf(stateOf(context).batches, fixedShape, plan, context.sources[plan.source] as BoundSource, fixed, batch, call, rows);
        const keys = await settleParents(answers, parents, keyOfParent, context);
        const found: unknown[] = [];
        for (const key of keys) {
          const answer = answers.settled.get(key);
          if (Array.isArray(answer)) found.push(...answer);
          else if (typeof answer === 'object' && answer !== null && !(answer instanceof Error)) found.push(answer);
        }
        return found;
      };
      batchSettlers.set(plan.coordinate, settle);
      // A key read from the parent alone: a list can fetch it for all its items at once.
      if (batch.key.kind === 'reference' && batch.key.reference.scope === 'parent')
        addPrefetcher(plan.coordinate, { returns: plan.returns, fetch: (parents, context) => settle(parents, keyOf, context) });
    }
    if (plan.batch) return batched;

    const resolved = async (parent: unknown, args: Record<string, unknown>, context: GatewayContext, info?: GraphQLResolveInfo): Promise<unknown> => {
      const source = context.sources[plan.source] as BoundSource;
      const resolve = references(parent, args, context, undefined);
      const request = fixed ?? requestOf(resolve);
      // A path value that is absent (a parent without the key) means there is nothing to fetch.
      if (!request) return null;

      if (plan.paginate) {
        const connection = await connectionOf(plan, source, request, args as ConnectionArgs, context, resolve, rows, call);
        if (info && prefetchers.has(plan.returns)) {
          const edges = fieldsNamed(selectedFields(info.fieldNodes, undefined, info), 'edges');
          const nodes = fieldsNamed(selectedFields(edges, undefined, info), 'node');
          await prefetch(
            connection.edges.map((edge) => edge.node),
            plan.returns,
            selectedFields(nodes, plan.returns, info),
            info,
            context,
          );
        }
        return connection;
      }

      const answer = plan.method === 'GET' ? await sharedRead(stateOf(context), fixedRead ?? readKey(plan, request), plan, source, request, call) : await call(source, request);
      const body = select(answer.body, plan.selection);
      let value: unknown;
      try {
        value = plan.result ? evaluate(plan.result, resolve) : mapValue(body, definition.name);
      } catch (error) {
        return drifted(error, answer.status);
      }
      if (plan.invalidates.length > 0) {
        const afterwards = references(parent, args, context, plan.result ? undefined : value);
        await source.invalidate(plan.invalidates.flatMap((template) => renderPath(template, afterwards) ?? []));
      }
      if (info && !plan.result && prefetchers.has(plan.returns)) {
        await prefetch(Array.isArray(value) ? value : [value], plan.returns, selectedFields(info.fieldNodes, plan.returns, info), info, context);
      }
      return value;
    };

    const form = plan.paginate?.firstPage;
    const keyOfParent = form && form.key.kind === 'reference' && form.key.reference.scope === 'parent' ? accessor(form.key) : undefined;
    if (!form || !keyOfParent || referencesIn(form.path).length > 0 || [...form.query].some(([, template]) => template.kind !== 'literal')) return resolved;
    const paginate = plan.paginate as PaginatePlan;
    const noReference = () => undefined;
    // The list's path needs nothing but the batch key: whenever the key is there, so is the path.
    const keyPath = form.key.kind === 'reference' ? form.key.reference.path.join('.') : undefined;
    const pathOfKeyOnly = referencesIn(plan.path).every((reference) => reference.scope === 'parent' && !reference.op && reference.path.join('.') === keyPath);
    /** OFFSET and PAGE lists can count their items: a total per parent, per request. */
    const counted = paginate.style === 'OFFSET' || paginate.style === 'PAGE';
    // A list whose request is named by its key alone has the same first page for every request that got the same rows.
    const keyedPages =
      pathOfKeyOnly && [...plan.query].every(([, template]) => template.kind === 'literal')
        ? firstPagesByRows(plan, (key) => [plan.coordinate, renderPath(plan.path, () => key) ?? '', canonicalUrl('', renderQuery(plan.query, noReference))])
        : undefined;

    // A list fetches the first pages of all its items' lists at once, before they resolve: one batch per page size asked.
    addPrefetcher(plan.coordinate, {
      returns: plan.returns,
      below: (nodes, scope) => selectedFields(fieldsNamed(selectedFields(fieldsNamed(selectedFields(nodes, undefined, scope), 'edges'), undefined, scope), 'node'), plan.returns, scope),
      async fetch(parents, context, nodes, scope) {
        const counts = new Set<number>();
        for (const node of nodes) {
          let slice: Slice;
          try {
            slice = toSlice(getArgumentValues(definition, node, scope.variableValues) as ConnectionArgs);
          } catch {
            continue; // refused when the field resolves
          }
          if (servedByBatch(paginate, slice)) counts.add(slice.count);
        }
        const found: unknown[] = [];
        for (const count of counts) {
          const shaped = firstPageShape(plan, form, count, noReference) as FirstPageShape;
          const { batches } = stateOf(context);
          const answers = batches.get(shaped.shape) ?? batchOf(batches, shaped.shape, shaped.plan, context.sources[plan.source] as BoundSource, shaped.request, shaped.batch, call, rows);
          for (const key of await settleParents(answers, parents, keyOfParent, context)) {
            const answer = answers.settled.get(key);
            if (Array.isArray(answer)) found.push(...answer.slice(0, count));
          }
        }
        return found;
      },
    });

    /**
     * A first page the list above fetched is made synchronously: no promise
     * per parent (50 articles' comments are 50 connections). Anything else
     * (another window, a page not fetched yet) goes the usual way.
     */
    return (parent: unknown, args: Record<string, unknown>, context: GatewayContext, info?: GraphQLResolveInfo): unknown => {
      const slice = toSlice(args as ConnectionArgs);
      const shaped = servedByBatch(paginate, slice) ? firstPageShape(plan, form, slice.count, noReference) : undefined;
      const key = shaped && keyOfParent(parent, args, context);
      const answer =
        key === null || key === undefined
          ? undefined
          : stateOf(context)
              .batches.get((shaped as FirstPageShape).shape)
              ?.settled.get(String(key));
      if (answer === undefined) return resolved(parent, args, context, info);
      if (answer instanceof Error) throw answer;
      const firstRows = answer as unknown[];
      if (!pathOfKeyOnly) {
        const base = fixed ?? requestOf(references(parent, args, context, undefined));
        if (!base) return null;
        return firstPageConnection(plan, firstRows, slice.count, scopeOf(plan, base, context), () => totalOf(plan, context.sources[plan.source] as BoundSource, base, rows, call));
      }
      const page = keyedPages ? keyedPages.of(firstRows, slice.count, key, context.cursors) : firstPageConnection(plan, firstRows, slice.count, lazyScope(parent, args, context), NO_TOTAL);
      if (!counted) return page;
      // The total is the list's own (made only if the query reads it), from a request only this parent's key names.
      return countedLater(page, () => totalOf(plan, context.sources[plan.source] as BoundSource, (fixed ?? requestOf(references(parent, args, context, undefined))) as UpstreamRequest, rows, call));
    };

    /** The list's own request names its cursors: made only if one of them is asked for (the key it needs is there). */
    function lazyScope(parent: unknown, args: Record<string, unknown>, context: GatewayContext): CursorScope {
      let base: UpstreamRequest | undefined;
      const baseOf = () => (base ??= (fixed ?? requestOf(references(parent, args, context, undefined))) as UpstreamRequest);
      return context.cursors.scopeLater(() => [plan.coordinate, baseOf().path, canonicalUrl('', baseOf().query)]);
    }
  }

  function addPrefetcher(coordinate: string, prefetcher: Prefetcher): void {
    const [typeName = '', fieldName = ''] = coordinate.split('.');
    const byField = prefetchers.get(typeName) ?? new Map<string, Prefetcher>();
    prefetchers.set(typeName, byField);
    byField.set(fieldName, prefetcher);
  }

  /**
   * Fetches, for the rows a field is about to return, the batched fields the
   * request selects on them, and so on down (users of posts, then the users'
   * companies): each level is one call per request shape, as the loaders
   * would make, but its items then resolve synchronously. graphql-jit (and
   * graphql-js) spend more on one pending value per item than on the rest
   * of the item, so a list of 100 posts with their users costs 2 promises
   * instead of 200.
   */
  async function prefetch(rows: readonly unknown[], typeName: string, fields: readonly FieldNode[], scope: SelectionScope, context: GatewayContext, depth = 0): Promise<void> {
    const byField = prefetchers.get(typeName);
    if (!byField || rows.length === 0 || depth > MAX_PREFETCH_DEPTH) return;
    const levels: Array<Promise<void>> = [];
    for (const [fieldName, prefetcher] of byField) {
      const nodes = fieldsNamed(fields, fieldName);
      if (nodes.length === 0) continue;
      const below = prefetcher.below ? prefetcher.below(nodes, scope) : selectedFields(nodes, prefetcher.returns, scope);
      levels.push(prefetcher.fetch(rows, context, nodes, scope).then((found) => prefetch(found, prefetcher.returns, below, scope, context, depth + 1)));
    }
    await Promise.all(levels);
  }
}

/** Batched fields below a list that one prefetch follows down (posts → users → companies …). */
const MAX_PREFETCH_DEPTH = 8;

/** Fetches one batched field for many parents at once; answers the rows they got. */
interface Prefetcher {
  returns: string;
  /** `nodes`: the field as the request selects it on the parents. */
  fetch(parents: readonly unknown[], context: GatewayContext, nodes: readonly FieldNode[], scope: SelectionScope): Promise<unknown[]>;
  /** The fields the request selects on the rows fetched, when they are not directly below the field (a connection's edges.node). */
  below?(nodes: readonly FieldNode[], scope: SelectionScope): FieldNode[];
}

/** Settles the batch keys `keyOfParent` reads from many parents; answers the rows they got. */
type BatchSettler = (parents: readonly unknown[], keyOfParent: (parent: unknown, args: Record<string, unknown>, context: GatewayContext) => unknown, context: GatewayContext) => Promise<unknown[]>;

/** Settles, in as few calls as the batch allows, the keys `keyOf` reads from each parent; answers the keys. */
async function settleParents(
  answers: Batch,
  parents: readonly unknown[],
  keyOf: (parent: unknown, args: Record<string, unknown>, context: GatewayContext) => unknown,
  context: GatewayContext,
): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const parent of parents) {
    const key = keyOf(parent, {}, context);
    if (key !== null && key !== undefined) keys.add(String(key));
  }
  await answers.settle(keys);
  return keys;
}

/** A connection over the source's pages, in the plan's style. */
async function connectionOf(
  plan: RestPlan,
  source: BoundSource,
  base: UpstreamRequest,
  args: ConnectionArgs,
  context: GatewayContext,
  resolve: (reference: Reference) => unknown,
  rows: RowMapping,
  call: SourceCall,
): Promise<Connection<unknown>> {
  const paginate = plan.paginate as PaginatePlan;
  const scope = scopeOf(plan, base, context);
  // The first page of many parents from one batch call: decided before anything else is made, as it is most lists' case.
  const form = paginate.firstPage;
  const slice = form && toSlice(args);
  if (form && slice && servedByBatch(paginate, slice)) {
    const key = evaluate(form.key, resolve);
    const shaped = key === null || key === undefined ? undefined : firstPageShape(plan, form, slice.count, resolve);
    if (shaped) {
      const answers = stateOf(context).batches.get(shaped.shape) ?? batchOf(stateOf(context).batches, shaped.shape, shaped.plan, source, shaped.request, shaped.batch, call, rows);
      const firstRows = (await answers.load(String(key))) as unknown[];
      return firstPageConnection(plan, firstRows, slice.count, scope, () => totalOf(plan, source, base, rows, call));
    }
  }

  const pages = ownPages(plan, source, base, rows, call);
  const options = { source: plan.source };
  switch (paginate.style) {
    case 'OFFSET':
    case 'PAGE':
      return indexConnection(args, scope, pages.ranges(), options);
    case 'CURSOR':
      return chainedConnection(args, scope, pages.byCursor(), { ...options, linksBack: paginate.backward });
    case 'LINK':
      return chainedConnection(args, scope, pages.byLink(), { ...options, linksBack: true });
  }
}

type SourceCall = (source: BoundSource, request: UpstreamRequest) => Promise<{ body: unknown; headers: Record<string, unknown>; status: number }>;

/** The cursors of one list: its field, the parent's path and its filters. */
function scopeOf(plan: RestPlan, base: UpstreamRequest, context: GatewayContext): CursorScope {
  return context.cursors.scope(plan.coordinate, base.path, canonicalUrl('', base.query));
}

/** A window the batch form serves: a first page, forward, smaller than the list's own largest page. */
function servedByBatch(paginate: PaginatePlan, slice: Slice): boolean {
  return slice.direction === 'forward' && slice.after === null && slice.before === null && slice.count < paginate.pageSize;
}

/** For a list without a total of its own, or one made only to be wrapped with a total per request. */
const NO_TOTAL = (): Promise<number | null> => Promise.resolve(null);

/**
 * First pages kept with the rows a batch answer grouped for one key: while
 * that answer is cached, every request gets the same rows (the same array),
 * and so the same edges, made once. The scope of their cursors is named by
 * the key alone (`scopeParts`), so that a page kept here holds nothing of
 * the request that made it. Rows of no parent (an empty group is shared) are
 * not kept: an empty page is cheap.
 */
function firstPagesByRows(plan: RestPlan, scopeParts: (key: unknown) => ScopeParts) {
  const kept = new WeakMap<readonly unknown[], { codec: CursorCodec; byCount: Map<number, Connection<unknown>> }>();
  const made = (rows: readonly unknown[], count: number, key: unknown, codec: CursorCodec) => {
    const scope = codec.scopeLater(() => scopeParts(key));
    return firstPageConnection(plan, rows, count, scope, NO_TOTAL);
  };
  return {
    of(rows: readonly unknown[], count: number, key: unknown, codec: CursorCodec): Connection<unknown> {
      if (rows.length === 0) return made(rows, count, key, codec);
      let pages = kept.get(rows);
      if (pages?.codec !== codec) kept.set(rows, (pages = { codec, byCount: new Map() }));
      let page = pages.byCount.get(count);
      if (!page) {
        page = made(rows, count, key, codec);
        pages.byCount.set(count, page);
      }
      return page;
    },
  };
}

/** The first page of a list from the rows a batch call brought (one more than asked, to tell whether a next page follows). */
function firstPageConnection(plan: RestPlan, rows: readonly unknown[], count: number, scope: CursorScope, total: () => Promise<number | null>): Connection<unknown> {
  const style = (plan.paginate as PaginatePlan).style;
  return style === 'CURSOR' || style === 'LINK' ? firstPageFromBatch(rows, count, scope) : firstRangeFromBatch(rows, count, scope, total);
}

/** The total of an OFFSET or PAGE list, from its own pages. */
function totalOf(plan: RestPlan, source: BoundSource, base: UpstreamRequest, rows: RowMapping, call: SourceCall): Promise<number | null> {
  const ranges = ownPages(plan, source, base, rows, call).ranges();
  return ranges.total ? ranges.total() : ranges(0, 1).then((range) => range.total);
}

/** A list's own pages, in its style: made only when a window needs them. */
function ownPages(plan: RestPlan, source: BoundSource, base: UpstreamRequest, rows: RowMapping, call: SourceCall) {
  const paginate = plan.paginate as PaginatePlan;
  const page = (query: Record<string, QueryValue>) => call(source, { ...base, query: { ...base.query, ...query } });
  const itemsOf = (body: unknown) => {
    const items = select(body, paginate.items);
    if (!Array.isArray(items)) throw new GraftError('UPSTREAM_BAD_RESPONSE', `${plan.source} sent a page without a list of items (${plan.coordinate}).`, { source: plan.source });
    try {
      return rows.mapList(items, plan.returns);
    } catch (error) {
      throw asUpstreamDrift(error, plan.source);
    }
  };
  const numberAt = (body: unknown, path: Path | undefined) => {
    const value = path ? read(body, path) : undefined;
    return typeof value === 'number' && Number.isFinite(value) ? value : null;
  };
  const textAt = (body: unknown, path: Path | undefined) => {
    const value = path ? read(body, path) : undefined;
    return typeof value === 'string' && value !== '' ? value : null;
  };
  return {
    /** By offset or page number. */
    ranges: (): RangeFetcher<unknown> =>
      paginate.style === 'OFFSET'
        ? offsetRanges(async (offset, limit) => {
            const { body } = await page({ [paginate.param]: offset, [paginate.size]: limit });
            return { items: itemsOf(body), total: numberAt(body, paginate.total) };
          }, paginate.pageSize)
        : pageRanges(async (number, perPage) => {
            const { body } = await page({ [paginate.param]: number, [paginate.size]: perPage });
            return { items: itemsOf(body), total: numberAt(body, paginate.total), pages: numberAt(body, paginate.pages), page: numberAt(body, paginate.current) ?? number };
          }, paginate.pageSize),
    /** By the cursor each answer names. */
    byCursor: () => async (cursor: string | null) => {
      const { body } = await page({ [paginate.param]: cursor, [paginate.size]: paginate.pageSize });
      return { items: itemsOf(body), next: textAt(body, paginate.next), prev: textAt(body, paginate.prev) };
    },
    /** By the Link header of each answer. */
    byLink: () => linkHeaderPages(source, { ...base, query: { ...base.query, [paginate.size]: paginate.pageSize } }, itemsOf),
  };
}

/** What a firstPage form batches as: the same for every parent, made once per plan. */
interface FirstPageBatch {
  plan: RestPlan;
  batch: Pick<FirstPagePlan, 'key' | 'param' | 'style' | 'match' | 'max'>;
  /** By page size, when the form's path and query are the same for every parent. */
  bySize: Map<number, FirstPageShape> | undefined;
}

interface FirstPageShape {
  plan: RestPlan;
  batch: FirstPageBatch['batch'];
  request: UpstreamRequest;
  /** The batch's name within a request (batch.ts). */
  shape: string;
}

const firstPageBatches = new WeakMap<FirstPagePlan, FirstPageBatch>();

/** The batch call of a first page of `count` items; undefined when a parent gives no path. A form that names no parent is made once per size. */
function firstPageShape(plan: RestPlan, form: FirstPagePlan, count: number, resolve: (reference: Reference) => unknown): FirstPageShape | undefined {
  let made = firstPageBatches.get(form);
  if (!made) {
    const fixed = referencesIn(form.path).length === 0 && [...form.query].every(([, template]) => template.kind === 'literal');
    made = {
      plan: { ...plan, selection: form.items, list: true },
      batch: { key: form.key, param: form.param, style: form.style, match: form.match, max: form.max },
      bySize: fixed ? new Map() : undefined,
    };
    firstPageBatches.set(form, made);
  }
  const known = made.bySize?.get(count);
  if (known) return known;
  const path = renderPath(form.path, resolve);
  if (!path) return undefined;
  // One row more than asked says whether there is a next page.
  const request: UpstreamRequest = { path, query: { ...renderQuery(form.query, resolve), [form.size]: count + 1 }, cacheTtlMs: plan.maxAgeMs };
  const shaped = { plan: made.plan, batch: made.batch, request, shape: batchShape(made.plan, request, made.batch) };
  made.bySize?.set(count, shaped);
  return shaped;
}

/** What makes two single reads of one request the same call. */
function readKey(plan: Pick<RestPlan, 'source'>, request: UpstreamRequest): string {
  return JSON.stringify([plan.source, request.path, request.query ?? {}, request.headers ?? {}]);
}

/**
 * A single read, once per request however many fields ask for it (as a
 * DataLoader would: the same author of twenty posts is one call), at most
 * SINGLE_CALLS_PER_FIELD at a time per field.
 */
function sharedRead(
  state: RequestState,
  key: string,
  plan: RestPlan,
  source: BoundSource,
  request: UpstreamRequest,
  call: (source: BoundSource, request: UpstreamRequest) => Promise<SourceAnswer>,
): Promise<SourceAnswer> {
  let answer = state.reads.get(key);
  if (answer) return answer;
  let limit = state.limits.get(plan.coordinate);
  if (!limit) {
    limit = callLimiter(SINGLE_CALLS_PER_FIELD);
    state.limits.set(plan.coordinate, limit);
  }
  answer = limit(() => call(source, request));
  state.reads.set(key, answer);
  return answer;
}

/** A declared error mapping for the upstream status, or the error as it was. */
function mappedError(plan: RestPlan, error: unknown): unknown {
  if (!(error instanceof GraftError) || error.status === undefined) return error;
  const mapping = plan.errors.find((candidate) => candidate.status === error.status);
  if (!mapping) return error;
  const said = mapping.message ? messageIn(error.upstreamBody, mapping.message) : undefined;
  const message = said ?? `${plan.source} refused the request (HTTP ${error.status}).`;
  return new GraftError(mapping.code, message, { source: plan.source, status: error.status, requestId: error.requestId, cause: error });
}

/** The client message in an upstream error answer: a string, or a list of strings or of { field, message }; at most 500 characters. */
function messageIn(body: string | undefined, path: Path): string | undefined {
  let parsed: unknown;
  try {
    parsed = body === undefined ? undefined : JSON.parse(body);
  } catch {
    return undefined;
  }
  const value = read(parsed, path);
  const describe = (item: unknown): string | undefined => {
    if (typeof item === 'string') return item;
    if (typeof item !== 'object' || item === null) return undefined;
    const { field, message } = item as { field?: unknown; message?: unknown };
    if (typeof message !== 'string') return undefined;
    return typeof field === 'string' ? `${field}: ${message}` : message;
  };
  const text = Array.isArray(value) ? value.map(describe).filter(Boolean).join('; ') : describe(value);
  return text ? text.slice(0, 500) : undefined;
}

/** A record that does not fit its type (records.ts's DriftError) as the client sees it: the source's bad answer; anything else as it is. */
function asUpstreamDrift(error: unknown, source: string, status?: number): unknown {
  if (!(error instanceof DriftError)) return error;
  return new GraftError('UPSTREAM_BAD_RESPONSE', `${source} sent a body of an unexpected shape (${error.where}).`, { source, status, cause: error });
}

/** Decodes `@globalId` arguments (and input fields below them) into upstream ids; undefined when a field has none. */
function argumentDecoder(definition: GraphQLField<unknown, unknown>): ((args: Record<string, unknown>) => Record<string, unknown>) | undefined {
  const decoders = definition.args.flatMap((argument) => {
    const decode = decoderFor(argument.type, globalIdType(argument.astNode?.directives)) ?? enumDecoder(argument.type);
    return decode ? [[argument.name, decode] as const] : [];
  });
  if (decoders.length === 0) return undefined;
  return (args) => {
    const decoded = { ...args };
    for (const [name, decode] of decoders) if (decoded[name] !== undefined && decoded[name] !== null) decoded[name] = decode(decoded[name]);
    return decoded;
  };
}

function decoderFor(type: GraphQLInputType, globalId: string | undefined, depth = 0): ((value: unknown) => unknown) | undefined {
  if (depth > 8) return undefined;
  const nullable = getNullableType(type) as GraphQLInputType;
  if (globalId !== undefined) return (value) => (Array.isArray(value) ? value.map((item) => decodeGlobalId(item, globalId)) : decodeGlobalId(value, globalId));
  if (isListType(nullable)) {
    const item = decoderFor(nullable.ofType, undefined, depth + 1);
    return item && ((value) => (Array.isArray(value) ? value.map(item) : item(value)));
  }
  if (!isInputObjectType(nullable)) return undefined;
  const fields = Object.values(nullable.getFields()).flatMap((field) => {
    const decode = decoderFor(field.type, globalIdType(field.astNode?.directives), depth + 1);
    return decode ? [[field.name, decode] as const] : [];
  });
  if (fields.length === 0) return undefined;
  return (value) => {
    if (typeof value !== 'object' || value === null) return value;
    const decoded: Record<string, unknown> = { ...(value as Record<string, unknown>) };
    for (const [name, decode] of fields) if (decoded[name] !== undefined && decoded[name] !== null) decoded[name] = decode(decoded[name]);
    return decoded;
  };
}

/**
 * An enum argument whose values say how the upstream spells them
 * (`METRIC @from(value: "metric")`) goes upstream that way, as query
 * parameters and path segments take arguments as they are. (Input object
 * fields are converted with the JSON body, records.ts.)
 */
function enumDecoder(type: GraphQLInputType): ((value: unknown) => unknown) | undefined {
  const nullable = getNullableType(type) as GraphQLInputType;
  const item = isListType(nullable) ? (getNullableType(nullable.ofType) as GraphQLInputType) : nullable;
  if (!isEnumType(item)) return undefined;
  const spelled = new Map(
    item.getValues().flatMap((value) => {
      const upstream = text(arg(directive(value.astNode?.directives, 'from'), 'value'));
      return upstream === undefined ? [] : [[value.value, upstream] as const];
    }),
  );
  if (spelled.size === 0) return undefined;
  const one = (value: unknown) => spelled.get(value as string) ?? value;
  return (value) => (Array.isArray(value) ? value.map(one) : one(value));
}

function globalIdType(directives: ReadonlyArray<{ name: { value: string }; arguments?: ReadonlyArray<{ name: { value: string }; value: unknown }> }> | undefined): string | undefined {
  const found = directives?.find((node) => node.name.value === 'globalId');
  const value = found?.arguments?.find((argument) => argument.name.value === 'type')?.value as { kind?: string; value?: string } | undefined;
  return value?.kind === 'StringValue' ? value.value : undefined;
}

/** `User:17` → `{ type: 'User', id: '17' }`, or BAD_USER_INPUT for a value not of that form. */
function splitGlobalId(value: unknown): { type: string; id: string } {
  const text = String(value);
  const colon = text.indexOf(':');
  if (colon <= 0) throw badUserInput(`"${text.slice(0, 64)}" is not a global id of the form <Type>:<id>.`);
  return { type: text.slice(0, colon), id: text.slice(colon + 1) };
}

/** `User:17` → `17`, or BAD_USER_INPUT for a malformed id or one of another type. */
export function decodeGlobalId(value: unknown, expected: string): string {
  const { type, id } = splitGlobalId(value);
  if (type !== expected) throw badUserInput(`Expected a ${expected} id, got a ${type.slice(0, 32)} id.`);
  return id;
}

/** The input type a JSON body's `$args…` reference carries, to send it in the upstream's spelling. */
function jsonBodyType(plan: RestPlan, definition: GraphQLField<unknown, unknown>): GraphQLInputType | undefined {
  if (plan.body?.kind !== 'json' || !('kind' in plan.body.value) || plan.body.value.kind !== 'reference') return undefined;
  return inputTypeAt(definition, plan.body.value.reference);
}

function inputTypeAt(definition: GraphQLField<unknown, unknown>, reference: Reference): GraphQLInputType | undefined {
  if (reference.scope !== 'args') return undefined;
  const [name, ...rest] = reference.path;
  let type: GraphQLInputType | undefined = definition.args.find((argument) => argument.name === name)?.type;
  for (const part of rest) {
    const named = type && getNamedType(type);
    type = named && isInputObjectType(named) ? named.getFields()[part]?.type : undefined;
  }
  return type;
}

function renderQuery(entries: TemplateMap, resolve: (reference: Reference) => unknown): Record<string, QueryValue> {
  const query: Record<string, QueryValue> = {};
  for (const [name, template] of entries) {
    const value = evaluate(template, resolve);
    if (value === null || value === undefined) continue;
    query[name] = Array.isArray(value) ? value.map(String) : typeof value === 'object' ? JSON.stringify(value) : (value as QueryValue);
  }
  return query;
}

function renderHeaders(entries: TemplateMap, resolve: (reference: Reference) => unknown): Record<string, string> | undefined {
  if (entries.length === 0) return undefined;
  const headers: Record<string, string> = {};
  for (const [name, template] of entries) {
    const value = evaluate(template, resolve);
    if (value !== null && value !== undefined) headers[name] = String(value);
  }
  return headers;
}

/** Multipart parts in order: files as they are, other values as text; null values left out. */
function renderParts(entries: TemplateMap, resolve: (reference: Reference) => unknown): Array<[string, string | UploadedFile]> {
  const parts: Array<[string, string | UploadedFile]> = [];
  for (const [name, template] of entries) {
    const value = evaluate(template, resolve);
    if (value === null || value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    for (const each of values) parts.push([name, each instanceof UploadedFile ? each : typeof each === 'object' ? JSON.stringify(each) : String(each)]);
  }
  return parts;
}

/** A JSON body: one value (an input object goes in the upstream's spelling, `toUpstream`), or a map of fields. */
function renderJson(value: ValueTemplate | TemplateMap, resolve: (reference: Reference) => unknown, toUpstream: ((value: unknown) => unknown) | undefined): unknown {
  if (!Array.isArray(value)) {
    const rendered = evaluate(value as ValueTemplate, resolve);
    return toUpstream ? toUpstream(rendered) : rendered;
  }
  const body: Record<string, unknown> = {};
  for (const [name, template] of value as TemplateMap) {
    const rendered = evaluate(template, resolve);
    if (rendered !== null && rendered !== undefined) body[name] = rendered;
  }
  return body;
}

/** A path template as traces show it: `/users/{$parent.id}/articles` → `/users/{id}/articles`. */
function routeOf(template: PathTemplate): string {
  return template.parts.map((part) => (typeof part === 'string' ? part : `{${part.path[part.path.length - 1] ?? part.scope}}`)).join('');
}

function select(body: unknown, path: Path | undefined): unknown {
  return path ? read(body, path) : body;
}
