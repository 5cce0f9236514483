/**
 * The answers of one batched request shape within one GraphQL request: keys
 * gathered from every field with that shape, sent at most `max` a call,
 * rows matched to keys by value (never by position), each key fetched once.
 */
import DataLoader from 'dataloader';
import { read } from '../core/dot-path.ts';
import { badUserInput, GraftError, notFound } from '../errors.ts';
import type { BoundSource } from '../sources/request-sources.ts';
import type { UpstreamRequest } from '../sources/upstream-request.ts';
import type { BatchStyle, RestPlan } from './plan.ts';
import { DriftError } from './records.ts';

export type BatchForm = { param: string; style: BatchStyle; match: string; max: number };

/** How a field's rows become graph objects, and the upstream key a mapped row answers for. */
export interface RowMapping {
  map(row: unknown, where: string): unknown;
  /** The rows of a list, mapped once per list: a cached page serves every request after the first without a new array. Read-only. */
  mapList(rows: readonly unknown[], where: string): readonly unknown[];
  /** The rows of a batch answer, mapped and grouped by their `match` field once per answer, as `mapList`. Read-only. */
  groupList(rows: readonly unknown[], where: string, match: string): ReadonlyMap<string, readonly unknown[]>;
  keyOf(mapped: unknown, match: string): unknown;
}

const NO_ROWS: ReadonlyMap<string, readonly unknown[]> = new Map();

/** What makes two batched fields share one loader: the same request but for its keys, and the same rows wanted. */
export function batchShape(
  plan: Pick<RestPlan, 'source' | 'list' | 'selection' | 'returns'>,
  request: UpstreamRequest,
  batch: BatchForm,
): string {
  return JSON.stringify([
    plan.source,
    request.method ?? 'GET',
    request.path,
    request.query ?? {},
    request.headers ?? {},
    batch.param,
    batch.style,
    batch.match,
    plan.selection ?? [],
    plan.list,
    plan.returns,
  ]);
}

/**
 * The answers of one request shape within one request: the keys of every
 * field with this shape go out together, at most `max` a call, each key once.
 * A prefetch settles a list's keys before execution reaches its items, which
 * then read their answer synchronously; keys asked for item by item go
 * through a DataLoader, made when first needed.
 */
export interface Batch {
  /** Answers in, by key: a row, a list of rows, or the Error that key's field gets. */
  settled: Map<string, unknown>;
  /** Fetches the keys neither settled nor in flight, and waits for all of them to settle; never rejects. */
  settle(keys: Iterable<string>): Promise<void>;
  /** One key's answer, batched with the other keys asked for in the same tick. */
  load(key: string): Promise<unknown>;
}

export function batchOf(
  batches: Map<string, Batch>,
  shape: string,
  plan: Pick<RestPlan, 'source' | 'list' | 'selection' | 'returns'>,
  source: BoundSource,
  request: UpstreamRequest,
  batch: BatchForm,
  call: (source: BoundSource, request: UpstreamRequest) => Promise<{ body: unknown; status: number }>,
  rowMapping: RowMapping,
): Batch {
  const existing = batches.get(shape);
  if (existing) return existing;

  const settled = new Map<string, unknown>();
  const inFlight = new Map<string, Promise<void>>();

  /** The answers for up to `batch.max` distinct keys, by one call. */
  const answers = async (keys: readonly string[]): Promise<unknown[]> => {
    // A separator inside a key would smuggle extra keys into a comma list.
    const isValid = (key: string) => key !== '' && !(batch.style === 'COMMA' && key.includes(','));
    const valid = keys.filter(isValid);
    let byKey: ReadonlyMap<string, readonly unknown[]> = NO_ROWS;
    if (valid.length > 0) {
      const keyed: UpstreamRequest =
        batch.style === 'BODY'
          ? { ...request, method: 'POST', json: { ...(request.json as object | undefined), [batch.param]: valid } }
          : {
              ...request,
              query: { ...request.query, [batch.param]: batch.style === 'COMMA' ? valid.join(',') : valid },
            };
      const { body, status } = await call(source, keyed);
      const rows = plan.selection ? read(body, plan.selection) : body;
      if (!Array.isArray(rows))
        throw new GraftError('UPSTREAM_BAD_RESPONSE', `${plan.source} answered a batch without a list of rows.`, {
          source: plan.source,
          status,
        });
      try {
        byKey = rowMapping.groupList(rows, plan.returns, batch.match);
      } catch (error) {
        if (error instanceof DriftError)
          throw new GraftError(
            'UPSTREAM_BAD_RESPONSE',
            `${plan.source} sent a body of an unexpected shape (${error.where}).`,
            { source: plan.source, status, cause: error },
          );
        throw error;
      }
    }
    return keys.map((key) => {
      if (!isValid(key))
        return badUserInput(
          batch.style === 'COMMA' ? 'An id may not be empty or contain a comma.' : 'An id may not be empty.',
        );
      const rows = byKey.get(key) ?? [];
      if (plan.list) return rows;
      return rows[0] ?? notFound(`${plan.returns} ${key}`, plan.source);
    });
  };

  const settle = (keys: Iterable<string>): Promise<void> => {
    const waits: Array<Promise<void>> = [];
    const fresh: string[] = [];
    for (const key of new Set(keys)) {
      if (settled.has(key)) continue;
      const pending = inFlight.get(key);
      if (pending) waits.push(pending);
      else fresh.push(key);
    }
    for (let start = 0; start < fresh.length; start += batch.max) {
      const chunk = fresh.slice(start, start + batch.max);
      // A failed call is every key's answer, as a DataLoader rejects every load of a failed batch.
      const settleAll = (answerOf: (index: number) => unknown) => {
        for (const [index, key] of chunk.entries()) {
          settled.set(key, answerOf(index));
          inFlight.delete(key);
        }
      };
      const done = answers(chunk).then(
        (values) => settleAll((index) => values[index]),
        (error: unknown) => settleAll(() => error),
      );
      for (const key of chunk) inFlight.set(key, done);
      waits.push(done);
    }
    return waits.length === 1 ? (waits[0] as Promise<void>) : Promise.all(waits).then(() => undefined);
  };

  let loader: DataLoader<string, unknown> | undefined;
  const created: Batch = {
    settled,
    settle,
    load(key) {
      loader ??= new DataLoader<string, unknown>(
        async (keys) => {
          await settle(keys);
          return keys.map((key) => settled.get(key));
        },
        { maxBatchSize: batch.max },
      );
      return loader.load(key);
    },
  };
  batches.set(shape, created);
  return created;
}
