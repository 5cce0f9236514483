/**
 * Fetches, for the rows a field is about to return, the batched fields the
 * request selects on them, and so on down (users of posts, then the users'
 * companies): each level is one call per request shape, as the loaders
 * would make, but its items then resolve synchronously. graphql-jit (and
 * graphql-js) spend more on one pending value per item than on the rest
 * of the item, so a list of 100 posts with their users costs 2 promises
 * instead of 200.
 */
import type { FieldNode } from 'graphql';
import type { Batch } from '../batch.ts';
import type { GatewayContext } from '../gateway-context.ts';
import { fieldsNamed, type SelectionScope, selectedFields } from '../selection.ts';
import type { ValueReader } from './references.ts';

/** Batched fields below a list that one prefetch follows down (posts -> users -> companies ...). */
const MAX_PREFETCH_DEPTH = 8;

/** Fetches one batched field for many parents at once; answers the rows they got. */
export interface Prefetcher {
  returns: string;
  /** `nodes`: the field as the request selects it on the parents. */
  fetch(
    parents: readonly unknown[],
    context: GatewayContext,
    nodes: readonly FieldNode[],
    scope: SelectionScope,
  ): Promise<unknown[]>;
  /** The fields the request selects on the rows fetched, when they are not directly below the field (a connection's edges.node). */
  below?(nodes: readonly FieldNode[], scope: SelectionScope): FieldNode[];
}

/** Settles the batch keys `keyOfParent` reads from many parents; answers the rows they got. */
export type BatchSettler = (
  parents: readonly unknown[],
  keyOfParent: ValueReader,
  context: GatewayContext,
) => Promise<unknown[]>;

/** The prefetchers of a graph, by type and field. */
export class Prefetchers {
  readonly #byType = new Map<string, Map<string, Prefetcher>>();

  /** `guarded`: fields left to their resolvers, which judge the caller first. */
  constructor(private readonly guarded: ReadonlySet<string> = new Set()) {}

  add(coordinate: string, prefetcher: Prefetcher): void {
    if (this.guarded.has(coordinate)) return;
    const [typeName = '', fieldName = ''] = coordinate.split('.');
    const byField = this.#byType.get(typeName) ?? new Map<string, Prefetcher>();
    this.#byType.set(typeName, byField);
    byField.set(fieldName, prefetcher);
  }

  /** Some field of the type can be prefetched. */
  has(typeName: string): boolean {
    return this.#byType.has(typeName);
  }

  /** Fetches what the request selects (`fields`) on `rows` of `typeName`, level by level. */
  async prefetch(
    rows: readonly unknown[],
    typeName: string,
    fields: readonly FieldNode[],
    scope: SelectionScope,
    context: GatewayContext,
    depth = 0,
  ): Promise<void> {
    const byField = this.#byType.get(typeName);
    if (!byField || rows.length === 0 || depth > MAX_PREFETCH_DEPTH) return;
    const levels: Array<Promise<void>> = [];
    for (const [fieldName, prefetcher] of byField) {
      const nodes = fieldsNamed(fields, fieldName);
      if (nodes.length === 0) continue;
      const below = prefetcher.below
        ? prefetcher.below(nodes, scope)
        : selectedFields(nodes, prefetcher.returns, scope);
      levels.push(
        prefetcher
          .fetch(rows, context, nodes, scope)
          .then((found) => this.prefetch(found, prefetcher.returns, below, scope, context, depth + 1)),
      );
    }
    await Promise.all(levels);
  }
}

/** Settles, in as few calls as the batch allows, the keys `keyOf` reads from each parent; answers the keys. */
export async function settleParents(
  answers: Batch,
  parents: readonly unknown[],
  keyOf: ValueReader,
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
