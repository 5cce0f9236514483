/**
 * What every resolver of a compiled graph shares, made once when the
 * resolvers are made (resolvers.ts) and passed explicitly to each part, as
 * graphql-js passes its ExecutionContext: the plans, the record mappers,
 * the runners of the @rest fields and what lists prefetch through.
 */
import type { GraphQLResolveInfo, GraphQLSchema } from 'graphql';
import type { GatewayContext } from '../gateway-context.ts';
import type { FieldPlan, NodePlan } from '../plan.ts';
import type { Naming, RecordMappers } from '../records.ts';
import type { BatchSettler, Prefetchers } from './prefetch.ts';

export type Resolver = (
  parent: unknown,
  args: Record<string, unknown>,
  context: GatewayContext,
  info?: GraphQLResolveInfo,
) => unknown;

export interface RunContext {
  schema: GraphQLSchema;
  /** By `Type.field`. */
  plans: ReadonlyMap<string, FieldPlan>;
  /** By type name. */
  nodes: ReadonlyMap<string, NodePlan>;
  mappers: RecordMappers;
  naming(source: string): Naming;
  /** Batched fields a list can fetch for all its items, by type and field. */
  prefetchers: Prefetchers;
  /** Batched fields whose request is the same for every key, by `Type.field`: what a @ref prefetches through. */
  batchSettlers: Map<string, BatchSettler>;
  /** The runner of a @rest field (taking upstream values: ids decoded); the compiler checked that every @ref and @node(fetch:) names one. */
  runnerOf(coordinate: string): Resolver;
}
