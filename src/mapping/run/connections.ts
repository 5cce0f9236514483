/**
 * Declared connections: a list's own pages in its style (OFFSET, PAGE,
 * CURSOR, LINK) made into a Relay connection, and the first page of many
 * parents' lists from one batch call (paginate.firstPage).
 */
import { canonicalUrl } from '../../cache/cache-key.ts';
import { read } from '../../core/dot-path.ts';
import { evaluate, type Reference, referencesIn, renderPath } from '../../core/template.ts';
import type { QueryValue } from '../../core/upstream-path.ts';
import { GraftError } from '../../errors.ts';
import { chainedConnection, firstPageFromBatch } from '../../pagination/chained-adapter.ts';
import { type Connection, type ConnectionArgs, type Slice, toSlice } from '../../pagination/connection.ts';
import type { CursorCodec, CursorScope, ScopeParts } from '../../pagination/cursor.ts';
import {
  firstRangeFromBatch,
  indexConnection,
  offsetRanges,
  pageRanges,
  type RangeFetcher,
} from '../../pagination/index-adapter.ts';
import { linkHeaderPages } from '../../pagination/linked-pages.ts';
import type { BoundSource } from '../../sources/request-sources.ts';
import type { UpstreamRequest } from '../../sources/upstream-request.ts';
import { batchOf, batchShape, type RowMapping } from '../batch.ts';
import type { GatewayContext } from '../gateway-context.ts';
import type { FirstPagePlan, PaginatePlan, Path, RestPlan } from '../plan.ts';
import { asUpstreamDrift } from '../records.ts';
import { renderQuery } from './render-request.ts';
import { type SourceCall, stateOf } from './request-state.ts';

/** A connection over the source's pages, in the plan's style. */
export async function connectionOf(
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
      const answers =
        stateOf(context).batches.get(shaped.shape) ??
        batchOf(stateOf(context).batches, shaped.shape, shaped.plan, source, shaped.request, shaped.batch, call, rows);
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

/** The cursors of one list: its field, the parent's path and its filters. */
export function scopeOf(plan: RestPlan, base: UpstreamRequest, context: GatewayContext): CursorScope {
  return context.cursors.scope(plan.coordinate, base.path, canonicalUrl('', base.query));
}

/** A window the batch form serves: a first page, forward, smaller than the list's own largest page. */
export function servedByBatch(paginate: PaginatePlan, slice: Slice): boolean {
  return (
    slice.direction === 'forward' && slice.after === null && slice.before === null && slice.count < paginate.pageSize
  );
}

/** For a list without a total of its own, or one made only to be wrapped with a total per request. */
export const NO_TOTAL = (): Promise<number | null> => Promise.resolve(null);

/**
 * First pages kept with the rows a batch answer grouped for one key: while
 * that answer is cached, every request gets the same rows (the same array),
 * and so the same edges, made once. The scope of their cursors is named by
 * the key alone (`scopeParts`), so that a page kept here holds nothing of
 * the request that made it. Rows of no parent (an empty group is shared) are
 * not kept: an empty page is cheap.
 */
export function firstPagesByRows(plan: RestPlan, scopeParts: (key: unknown) => ScopeParts) {
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
export function firstPageConnection(
  plan: RestPlan,
  rows: readonly unknown[],
  count: number,
  scope: CursorScope,
  total: () => Promise<number | null>,
): Connection<unknown> {
  const style = (plan.paginate as PaginatePlan).style;
  return style === 'CURSOR' || style === 'LINK'
    ? firstPageFromBatch(rows, count, scope)
    : firstRangeFromBatch(rows, count, scope, total);
}

/** The total of an OFFSET or PAGE list, from its own pages. */
export function totalOf(
  plan: RestPlan,
  source: BoundSource,
  base: UpstreamRequest,
  rows: RowMapping,
  call: SourceCall,
): Promise<number | null> {
  const ranges = ownPages(plan, source, base, rows, call).ranges();
  return ranges.total ? ranges.total() : ranges(0, 1).then((range) => range.total);
}

/** A list's own pages, in its style: made only when a window needs them. */
export function ownPages(
  plan: RestPlan,
  source: BoundSource,
  base: UpstreamRequest,
  rows: RowMapping,
  call: SourceCall,
) {
  const paginate = plan.paginate as PaginatePlan;
  const page = (query: Record<string, QueryValue>) => call(source, { ...base, query: { ...base.query, ...query } });
  const itemsOf = (body: unknown) => {
    const items = paginate.items ? read(body, paginate.items) : body;
    if (!Array.isArray(items))
      throw new GraftError(
        'UPSTREAM_BAD_RESPONSE',
        `${plan.source} sent a page without a list of items (${plan.coordinate}).`,
        { source: plan.source },
      );
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
            return {
              items: itemsOf(body),
              total: numberAt(body, paginate.total),
              pages: numberAt(body, paginate.pages),
              page: numberAt(body, paginate.current) ?? number,
            };
          }, paginate.pageSize),
    /** By the cursor each answer names. */
    byCursor: () => async (cursor: string | null) => {
      const { body } = await page({ [paginate.param]: cursor, [paginate.size]: paginate.pageSize });
      return { items: itemsOf(body), next: textAt(body, paginate.next), prev: textAt(body, paginate.prev) };
    },
    /** By the Link header of each answer. */
    byLink: () =>
      linkHeaderPages(source, { ...base, query: { ...base.query, [paginate.size]: paginate.pageSize } }, itemsOf),
  };
}

/** What a firstPage form batches as: the same for every parent, made once per plan. */
interface FirstPageBatch {
  plan: RestPlan;
  batch: Pick<FirstPagePlan, 'key' | 'param' | 'style' | 'match' | 'max'>;
  /** By page size, when the form's path and query are the same for every parent. */
  bySize: Map<number, FirstPageShape> | undefined;
}

export interface FirstPageShape {
  plan: RestPlan;
  batch: FirstPageBatch['batch'];
  request: UpstreamRequest;
  /** The batch's name within a request (batch.ts). */
  shape: string;
}

const firstPageBatches = new WeakMap<FirstPagePlan, FirstPageBatch>();

/** The batch call of a first page of `count` items; undefined when a parent gives no path. A form that names no parent is made once per size. */
export function firstPageShape(
  plan: RestPlan,
  form: FirstPagePlan,
  count: number,
  resolve: (reference: Reference) => unknown,
): FirstPageShape | undefined {
  let made = firstPageBatches.get(form);
  if (!made) {
    const fixed =
      referencesIn(form.path).length === 0 && [...form.query].every(([, template]) => template.kind === 'literal');
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
  const request: UpstreamRequest = {
    path,
    query: { ...renderQuery(form.query, resolve), [form.size]: count + 1 },
    cacheTtlMs: plan.maxAgeMs,
  };
  const shaped = { plan: made.plan, batch: made.batch, request, shape: batchShape(made.plan, request, made.batch) };
  made.bySize?.set(count, shaped);
  return shaped;
}
