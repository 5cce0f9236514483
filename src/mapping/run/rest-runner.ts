/**
 * The resolver of one @rest field, by its plan:
 * - a plain read is one call per distinct request (identical ones in flight
 *   are shared by the source client), at most 8 at a time per field;
 * - a batch form gathers the keys of every parent in the request into one
 *   call per `max` keys, through the request's batch of that shape
 *   (batch.ts), shared by every field with the same request shape;
 * - a connection runs the pagination adapter of its style, and a batched
 *   first page serves the first page of many parents in one call;
 * - a write is sent once, never shared or cached, then drops the cached
 *   reads it makes stale.
 */
import {
  type GraphQLField,
  GraphQLList,
  GraphQLNonNull,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  getArgumentValues,
  getNamedType,
  isAbstractType,
  isListType,
  isNonNullType,
  isObjectType,
} from 'graphql';
import { canonicalUrl } from '../../cache/cache-key.ts';
import { read } from '../../core/dot-path.ts';
import { evaluate, type Reference, referencesIn, renderPath } from '../../core/template.ts';
import { type ConnectionArgs, countedLater, type Slice, toSlice } from '../../pagination/connection.ts';
import type { CursorScope } from '../../pagination/cursor.ts';
import type { BoundSource } from '../../sources/request-sources.ts';
import type { UpstreamRequest } from '../../sources/upstream-request.ts';
import { type BatchForm, batchOf, batchShape, type RowMapping } from '../batch.ts';
import type { GatewayContext } from '../gateway-context.ts';
import type { BatchPlan, FirstPagePlan, PaginatePlan, RestPlan } from '../plan.ts';
import { asUpstreamDrift, asXmlList } from '../records.ts';
import { fieldsNamed, selectedFields } from '../selection.ts';
import {
  connectionOf,
  firstPageConnection,
  firstPageShape,
  firstPagesByRows,
  NO_TOTAL,
  scopeOf,
  servedByBatch,
  totalOf,
} from './connections.ts';
import { errorAsData, mappedError } from './field-errors.ts';
import { type BatchSettler, settleParents } from './prefetch.ts';
import { accessor, references, type ValueReader } from './references.ts';
import {
  argumentInputType,
  isFixedRequest,
  type RequestRenderer,
  renderQuery,
  requestRenderer,
} from './render-request.ts';
import { readKey, type SourceCall, sharedRead, stateOf } from './request-state.ts';
import { rowMapping } from './row-mapping.ts';
import type { Resolver, RunContext } from './run-context.ts';

/** One @rest field made ready to run: what each of its resolvers shares. */
interface RestField {
  plan: RestPlan;
  definition: GraphQLField<unknown, unknown>;
  run: RunContext;
  mapValue: (raw: unknown, where: string) => unknown;
  rows: RowMapping;
  requestOf: RequestRenderer;
  /** The request, when it is the same for every call, with its batch shape or read key. */
  fixed: UpstreamRequest | undefined;
  fixedShape: string | undefined;
  fixedRead: string | undefined;
  /** A call of the field's source, with its declared error mapping. */
  call: SourceCall;
  /** A plain batch key, read by a precompiled accessor. */
  keyOf: ValueReader | undefined;
  /** The mapper of each member an error answer becomes (`errors: [{ type }]`). */
  errorMappers: ReadonlyMap<string, (raw: unknown, where: string) => unknown>;
}

export function restRunner(plan: RestPlan, definition: GraphQLField<unknown, unknown>, run: RunContext): Resolver {
  const field = restField(plan, definition, run);
  if (plan.batch) {
    addBatchSettler(field, plan.batch);
    return batchedResolver(field, plan.batch);
  }
  const resolved = singleResolver(field);
  return firstPageResolver(field, resolved) ?? resolved;
}

function restField(plan: RestPlan, definition: GraphQLField<unknown, unknown>, run: RunContext): RestField {
  const { schema, mappers } = run;
  const naming = plan.naming ?? run.naming(plan.source);
  // `@rest(type:)`: every record is that member of the field's union or interface.
  const member = plan.member ? (schema.getType(plan.member) as GraphQLObjectType) : undefined;
  const rowType = member ?? schema.getType(plan.returns);
  const { source } = plan;
  const mapValue = mappers.output(member ? withNamedType(definition.type, member) : definition.type, naming, source);
  const mapRow =
    rowType && (isObjectType(rowType) || isAbstractType(rowType)) ? mappers.output(rowType, naming, source) : mapValue;
  const requestOf = requestRenderer(plan, (template) => {
    const type = argumentInputType(template, definition);
    return type && mappers.input(type, naming);
  });
  // A request with no per-call value is the same for every call: built, and its batch shape named, once.
  const fixed = isFixedRequest(plan) ? requestOf(() => undefined) : undefined;
  const call: SourceCall = async (source, request) => {
    try {
      return await source.request(request);
    } catch (error) {
      throw mappedError(plan, error);
    }
  };
  return {
    plan,
    definition,
    run,
    mapValue,
    rows: rowMapping(mapRow, mappers),
    requestOf,
    fixed,
    fixedShape: fixed && plan.batch ? batchShape(plan, fixed, plan.batch) : undefined,
    fixedRead: fixed && !plan.batch ? readKey(plan, fixed) : undefined,
    call,
    keyOf: plan.batch && accessor(plan.batch.key, mappers),
    errorMappers: new Map(
      plan.errors.flatMap(({ member }) =>
        member ? [[member, mappers.output(schema.getType(member) as GraphQLObjectType, naming, source)] as const] : [],
      ),
    ),
  };
}

/** The field's request for one resolver call; undefined when a path value is absent. */
function requestFor(
  field: RestField,
  parent: unknown,
  args: Record<string, unknown>,
  context: GatewayContext,
): UpstreamRequest | undefined {
  return field.fixed ?? field.requestOf(references(field.run.mappers, parent, args, context, undefined));
}

/** The request's batch of this shape, made on first use (the source is bound only then). */
function batchFor(
  field: RestField,
  context: GatewayContext,
  shape: string,
  plan: RestPlan,
  request: UpstreamRequest,
  batch: BatchForm,
) {
  const { batches } = stateOf(context);
  return (
    batches.get(shape) ??
    batchOf(
      batches,
      shape,
      plan,
      context.sources[field.plan.source] as BoundSource,
      request,
      batch,
      field.call,
      field.rows,
    )
  );
}

/**
 * A batched field runs on every item of a list: it is synchronous, with
 * its key read by a precompiled accessor. When the list prefetched it,
 * its answer is already in and costs no promise at all; otherwise one
 * (the loader's), as a hand-written loader would.
 */
function batchedResolver(field: RestField, batch: BatchPlan): Resolver {
  const { plan, keyOf, fixed, fixedShape } = field;
  return (parent, args, context) => {
    const resolve = keyOf ? undefined : references(field.run.mappers, parent, args, context, undefined);
    const key = keyOf
      ? keyOf(parent, args, context)
      : evaluate(batch.key, resolve as (reference: Reference) => unknown);
    if (key === null || key === undefined) return plan.list ? [] : null;
    const request =
      fixed ?? field.requestOf(resolve ?? references(field.run.mappers, parent, args, context, undefined));
    if (!request) return null;
    const answers = batchFor(field, context, fixedShape ?? batchShape(plan, request, batch), plan, request, batch);
    const answer = answers.settled.get(String(key));
    if (answer === undefined) return answers.load(String(key));
    if (answer instanceof Error) throw answer;
    return answer;
  };
}

/**
 * A batched field whose request is the same for every key can settle the
 * keys of many parents at once: a @ref to it prefetches through this, and
 * when its key is read from the parent alone, a list fetches it for all
 * its items at once.
 */
function addBatchSettler(field: RestField, batch: BatchPlan): void {
  const { plan, fixed, fixedShape, keyOf, run } = field;
  if (!fixed || !fixedShape || !keyOf) return;
  const settle: BatchSettler = async (parents, keyOfParent, context) => {
    const answers = batchFor(field, context, fixedShape, plan, fixed, batch);
    const found: unknown[] = [];
    for (const key of await settleParents(answers, parents, keyOfParent, context)) {
      const answer = answers.settled.get(key);
      if (Array.isArray(answer)) found.push(...answer);
      else if (typeof answer === 'object' && answer !== null && !(answer instanceof Error)) found.push(answer);
    }
    return found;
  };
  run.batchSettlers.set(plan.coordinate, settle);
  if (batch.key.kind === 'reference' && batch.key.reference.scope === 'parent')
    run.prefetchers.add(plan.coordinate, {
      returns: plan.returns,
      fetch: (parents, context) => settle(parents, keyOf, context),
    });
}

/** A field that is neither batched nor a first page a list fetched: one read, one write or one connection. */
function singleResolver(
  field: RestField,
): (
  parent: unknown,
  args: Record<string, unknown>,
  context: GatewayContext,
  info?: GraphQLResolveInfo,
) => Promise<unknown> {
  const { plan, run } = field;
  return async (parent, args, context, info) => {
    const source = context.sources[plan.source] as BoundSource;
    const resolve = references(run.mappers, parent, args, context, undefined);
    const request = field.fixed ?? field.requestOf(resolve);
    // A path value that is absent (a parent without the key) means there is nothing to fetch.
    if (!request) return null;
    if (plan.paginate) {
      const connection = await connectionOf(
        plan,
        source,
        request,
        args as ConnectionArgs,
        context,
        resolve,
        field.rows,
        field.call,
      );
      if (info && run.prefetchers.has(plan.returns)) {
        const edges = fieldsNamed(selectedFields(info.fieldNodes, undefined, info), 'edges');
        const nodes = fieldsNamed(selectedFields(edges, undefined, info), 'node');
        const items = connection.edges.map((edge) => edge.node);
        await run.prefetchers.prefetch(items, plan.returns, selectedFields(nodes, plan.returns, info), info, context);
      }
      return connection;
    }
    const value = await readOrWrite(field, context, source, request, resolve);
    if (plan.invalidates.length > 0) {
      const afterwards = references(run.mappers, parent, args, context, plan.result ? undefined : value);
      await source.invalidate(plan.invalidates.flatMap((template) => renderPath(template, afterwards) ?? []));
    }
    if (info && !plan.result && run.prefetchers.has(plan.returns)) {
      await run.prefetchers.prefetch(
        Array.isArray(value) ? value : [value],
        plan.returns,
        selectedFields(info.fieldNodes, plan.returns, info),
        info,
        context,
      );
    }
    return value;
  };
}

/** A read (shared within the request) or a write (sent once), its answer mapped to the field's type. */
async function readOrWrite(
  field: RestField,
  context: GatewayContext,
  source: BoundSource,
  request: UpstreamRequest,
  resolve: (reference: Reference) => unknown,
): Promise<unknown> {
  const { plan } = field;
  let answer: Awaited<ReturnType<SourceCall>>;
  try {
    answer =
      plan.method === 'GET'
        ? await sharedRead(
            stateOf(context),
            field.fixedRead ?? readKey(plan, request),
            plan,
            source,
            request,
            field.call,
          )
        : await field.call(source, request);
  } catch (error) {
    const asData = errorAsData(plan, error);
    if (!asData) throw error;
    try {
      return field.errorMappers.get(asData.member)?.(asData.record, field.definition.name);
    } catch (drift) {
      throw asUpstreamDrift(drift, plan.source, (error as { status?: number }).status);
    }
  }
  const selected = plan.selection ? read(answer.body, plan.selection) : answer.body;
  const body = plan.list
    ? asXmlList(selected, plan.selection ? read(answer.body, plan.selection.slice(0, -1)) : undefined)
    : selected;
  try {
    return plan.result
      ? resultOfType(evaluate(plan.result, resolve), field.definition.type)
      : field.mapValue(body, field.definition.name);
  } catch (error) {
    throw asUpstreamDrift(error, plan.source, answer.status);
  }
}

/**
 * A connection whose first pages batch (paginate.firstPage) by a key read
 * from the parent, over a form that is the same for every parent: a list
 * fetches the first pages of all its items' lists at once, before they
 * resolve, and each first page is then made synchronously (no promise per
 * parent: 50 articles' comments are 50 connections). Anything else
 * (another window, a page not fetched yet) goes the usual way, `resolved`.
 * Undefined for any other field.
 */
function firstPageResolver(field: RestField, resolved: Resolver): Resolver | undefined {
  const { plan, run } = field;
  const paginate = plan.paginate;
  const form = paginate?.firstPage;
  const keyOfParent =
    form && form.key.kind === 'reference' && form.key.reference.scope === 'parent'
      ? accessor(form.key, run.mappers)
      : undefined;
  if (
    !paginate ||
    !form ||
    !keyOfParent ||
    referencesIn(form.path).length > 0 ||
    form.query.some(([, template]) => template.kind !== 'literal')
  )
    return undefined;
  addFirstPagePrefetcher(field, paginate, form, keyOfParent);
  // The list's path needs nothing but the batch key: whenever the key is there, so is the path.
  const keyPath = form.key.kind === 'reference' ? form.key.reference.path.join('.') : undefined;
  const pathOfKeyOnly = referencesIn(plan.path).every(
    (reference) => reference.scope === 'parent' && !reference.op && reference.path.join('.') === keyPath,
  );
  /** OFFSET and PAGE lists can count their items: a total per parent, per request. */
  const counted = paginate.style === 'OFFSET' || paginate.style === 'PAGE';
  // A list whose request is named by its key alone has the same first page for every request that got the same rows.
  const keyedPages =
    pathOfKeyOnly && plan.query.every(([, template]) => template.kind === 'literal')
      ? firstPagesByRows(plan, (key) => [
          plan.coordinate,
          renderPath(plan.path, () => key) ?? '',
          canonicalUrl('', renderQuery(plan.query, NO_REFERENCE)),
        ])
      : undefined;
  const totalFor = (base: UpstreamRequest, context: GatewayContext) => () =>
    totalOf(plan, context.sources[plan.source] as BoundSource, base, field.rows, field.call);

  return (parent, args, context, info) => {
    const slice = toSlice(args as ConnectionArgs);
    const shaped = servedByBatch(paginate, slice) ? firstPageShape(plan, form, slice.count, NO_REFERENCE) : undefined;
    const key = shaped && keyOfParent(parent, args, context);
    const answer =
      shaped && key !== null && key !== undefined
        ? stateOf(context).batches.get(shaped.shape)?.settled.get(String(key))
        : undefined;
    if (answer === undefined) return resolved(parent, args, context, info);
    if (answer instanceof Error) throw answer;
    const firstRows = answer as unknown[];
    if (!pathOfKeyOnly) {
      const base = requestFor(field, parent, args, context);
      if (!base) return null;
      return firstPageConnection(plan, firstRows, slice.count, scopeOf(plan, base, context), totalFor(base, context));
    }
    const page = keyedPages
      ? keyedPages.of(firstRows, slice.count, key, context.cursors)
      : firstPageConnection(plan, firstRows, slice.count, lazyScope(field, parent, args, context), NO_TOTAL);
    if (!counted) return page;
    // The total is the list's own (made only if the query reads it), from a request only this parent's key names.
    return countedLater(page, () => totalFor(requestFor(field, parent, args, context) as UpstreamRequest, context)());
  };
}

const NO_REFERENCE = () => undefined;

/** Fetches, for a list of parents, the first pages of their lists: one batch per page size asked. */
function addFirstPagePrefetcher(
  field: RestField,
  paginate: PaginatePlan,
  form: FirstPagePlan,
  keyOfParent: ValueReader,
): void {
  const { plan, definition } = field;
  field.run.prefetchers.add(plan.coordinate, {
    returns: plan.returns,
    below: (nodes, scope) =>
      selectedFields(
        fieldsNamed(
          selectedFields(fieldsNamed(selectedFields(nodes, undefined, scope), 'edges'), undefined, scope),
          'node',
        ),
        plan.returns,
        scope,
      ),
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
        const shaped = firstPageShape(plan, form, count, NO_REFERENCE);
        if (!shaped) continue;
        const answers = batchFor(field, context, shaped.shape, shaped.plan, shaped.request, shaped.batch);
        for (const key of await settleParents(answers, parents, keyOfParent, context)) {
          const answer = answers.settled.get(key);
          if (Array.isArray(answer)) found.push(...answer.slice(0, count));
        }
      }
      return found;
    },
  });
}

/** The list's own request names its cursors: made only if one of them is asked for (the key it needs is there). */
function lazyScope(
  field: RestField,
  parent: unknown,
  args: Record<string, unknown>,
  context: GatewayContext,
): CursorScope {
  let base: UpstreamRequest | undefined;
  const baseOf = () => (base ??= requestFor(field, parent, args, context) as UpstreamRequest);
  return context.cursors.scopeLater(() => [field.plan.coordinate, baseOf().path, canonicalUrl('', baseOf().query)]);
}

/** `type` with its named type replaced, lists and non-null kept: `[SearchHit!]` → `[Article!]`. */
function withNamedType(type: GraphQLOutputType, named: GraphQLObjectType): GraphQLOutputType {
  if (isNonNullType(type)) return new GraphQLNonNull(withNamedType(type.ofType, named));
  if (isListType(type)) return new GraphQLList(withNamedType(type.ofType, named));
  return named;
}

/** A `result:` template's text as the field's scalar: `"true"` is a Boolean's true, `"3"` an Int's 3. */
function resultOfType(value: unknown, type: GraphQLOutputType): unknown {
  if (typeof value !== 'string') return value;
  switch (getNamedType(type).name) {
    case 'Boolean':
      return value === 'true' ? true : value === 'false' ? false : value;
    case 'Int':
    case 'Float':
      return value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
    default:
      return value;
  }
}
