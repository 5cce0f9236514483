/**
 * Generic per-request loaders for REST endpoints, following the batch
 * contract (see match-to-keys.ts):
 * - `batchLoader`: one row per key from an endpoint that takes many keys in
 *   one call; a key the answer leaves out gets its own `NOT_FOUND`.
 * - `groupLoader`: a list per key (one-to-many, e.g. articles by author).
 * - `singleLoader`: parallel single calls, capped, for endpoints without a
 *   batch form.
 * Batches larger than `maxBatchSize` are split by DataLoader into chunks
 * fetched in parallel; a failing chunk fails only its own keys.
 */
import DataLoader from 'dataloader';
import type { z } from 'zod';
import type { QueryParams, UpstreamPath } from '../core/upstream-path.ts';
import { badUserInput, notFound } from '../errors.ts';
import type { BoundSource } from '../sources/request-sources.ts';
import { callLimiter } from './call-limiter.ts';
import { matchToKeys } from './match-to-keys.ts';

export type BatchStyle =
  /** `?ids=1,2,3` */
  | { kind: 'commaList'; param: string }
  /** `?id=1&id=2` */
  | { kind: 'repeated'; param: string }
  /** `POST` with `{ "<field>": ["1", "2"] }` */
  | { kind: 'postBody'; field: string };

export interface BatchEndpoint<Answer, Row> {
  source: BoundSource;
  path: UpstreamPath;
  style: BatchStyle;
  /** Fixed query parameters sent with every batch. */
  query?: QueryParams;
  /** The shape of the whole answer; a mismatch is `UPSTREAM_BAD_RESPONSE`. */
  shape: z.ZodType<Answer>;
  rowsOf: (answer: Answer) => Row[];
  /** Dot path, in each row, of the value that matches it to its key: `id`, `author.id`. */
  keyPath: string;
  /** Most keys one call may carry. */
  maxBatchSize: number;
  /** What a missing key is called in its NOT_FOUND message. @default 'Item' */
  entity?: string;
}

export function batchLoader<Answer, Row>(endpoint: BatchEndpoint<Answer, Row>): DataLoader<string, Row> {
  return new DataLoader(
    async (keys) => {
      const { valid, rows } = await fetchBatch(endpoint, keys);
      return matchToKeys(
        keys,
        rows,
        (row) => keyAt(row, endpoint.keyPath),
        (key) =>
          valid.has(key)
            ? notFound(`${endpoint.entity ?? 'Item'} ${key}`, endpoint.source.name)
            : invalidKey(endpoint.style),
      );
    },
    { maxBatchSize: endpoint.maxBatchSize },
  );
}

export function groupLoader<Answer, Row>(endpoint: BatchEndpoint<Answer, Row>): DataLoader<string, Row[]> {
  return new DataLoader(
    async (keys) => {
      const { valid, rows } = await fetchBatch(endpoint, keys);
      const groups = new Map<string, Row[]>();
      for (const row of rows) {
        const key = keyAt(row, endpoint.keyPath);
        groups.set(key, [...(groups.get(key) ?? []), row]);
      }
      return keys.map((key) => (valid.has(key) ? (groups.get(key) ?? []) : invalidKey(endpoint.style)));
    },
    { maxBatchSize: endpoint.maxBatchSize },
  );
}

export interface SingleLoaderOptions {
  /** Calls in flight at once for one batch. @default 8 */
  concurrency?: number;
}

export function singleLoader<Row>(
  fetchOne: (key: string) => Promise<Row>,
  { concurrency = 8 }: SingleLoaderOptions = {},
): DataLoader<string, Row> {
  return new DataLoader(async (keys) => {
    const limit = callLimiter(concurrency);
    return Promise.all(keys.map((key) => limit(() => settle(() => fetchOne(key)))));
  });
}

async function fetchBatch<Answer, Row>(
  endpoint: BatchEndpoint<Answer, Row>,
  keys: readonly string[],
): Promise<{ valid: Set<string>; rows: Row[] }> {
  const { style } = endpoint;
  // A separator inside a key would smuggle extra keys into the list.
  const valid = new Set(keys.filter((key) => key !== '' && !(style.kind === 'commaList' && key.includes(','))));
  if (valid.size === 0) return { valid, rows: [] };
  const list = [...valid];
  const answer =
    style.kind === 'postBody'
      ? await endpoint.source.fetch(endpoint.shape, {
          method: 'POST',
          path: endpoint.path,
          query: endpoint.query,
          json: { [style.field]: list },
        })
      : await endpoint.source.fetch(endpoint.shape, {
          path: endpoint.path,
          query: { ...endpoint.query, [style.param]: style.kind === 'commaList' ? list.join(',') : list },
        });
  return { valid, rows: endpoint.rowsOf(answer) };
}

function keyAt(row: unknown, keyPath: string): string {
  let value: unknown = row;
  for (const part of keyPath.split('.'))
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return String(value);
}

function invalidKey(style: BatchStyle): Error {
  return badUserInput(
    style.kind === 'commaList' ? 'An id may not be empty or contain a comma.' : 'An id may not be empty.',
  );
}

/** One key's failure stays that key's: DataLoader takes an Error in its slot. */
async function settle<T>(load: () => Promise<T>): Promise<T | Error> {
  try {
    return await load();
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}
