/**
 * The resolvers of a compiled graph: a runner per @rest field (rest-runner.ts),
 * a @ref as a call of the Query field it names, a @chain as calls of several
 * (chains.ts), a @event field
 * (event-fields.ts), `Query.node` by global id, and what the executor needs
 * besides (`__resolveType` from a mapped record's type, a batched first
 * page's lazy totalCount).
 */
import { type GraphQLField, type GraphQLObjectType, type GraphQLSchema, isObjectType } from 'graphql';
import { badUserInput } from '../../errors.ts';
import type { Connection } from '../../pagination/connection.ts';
import { connectionNodeType } from '../connection-types.ts';
import type { FieldPlan, NodePlan, RefPlan } from '../plan.ts';
import { type MappedObject, type Naming, type RecordMappers, TYPENAME } from '../records.ts';
import { argumentDecoder, splitGlobalId } from './arguments.ts';
import { chainResolver } from './chains.ts';
import { eventField } from './event-fields.ts';
import { Prefetchers } from './prefetch.ts';
import { accessor, readerOf } from './references.ts';
import { restRunner } from './rest-runner.ts';
import type { Resolver, RunContext } from './run-context.ts';

export interface ExecutionOptions {
  schema: GraphQLSchema;
  plans: ReadonlyMap<string, FieldPlan>;
  nodes: ReadonlyMap<string, NodePlan>;
  mappers: RecordMappers;
  naming(source: string): Naming;
  /** Fields that say who may read them: never prefetched, so that each judges its caller before its call (access-guards.ts). */
  guarded?: ReadonlySet<string>;
}

type ResolverMap = Record<string, Record<string, unknown>>;

export function mappingResolvers(options: ExecutionOptions): ResolverMap {
  const runners = new Map<string, Resolver>();
  const run: RunContext = {
    ...options,
    prefetchers: new Prefetchers(options.guarded),
    batchSettlers: new Map(),
    runnerOf(coordinate) {
      const runner = runners.get(coordinate);
      if (!runner) throw new Error(`${coordinate} has no @rest plan`);
      return runner;
    },
  };
  for (const [coordinate, plan] of options.plans) {
    if (plan.kind === 'rest') runners.set(coordinate, restRunner(plan, definitionOf(options.schema, coordinate), run));
  }
  const resolvers: ResolverMap = {};
  for (const [coordinate, plan] of options.plans) {
    const [typeName = '', fieldName = ''] = coordinate.split('.');
    resolvers[typeName] ??= {};
    resolvers[typeName][fieldName] = fieldResolver(run, coordinate, plan);
  }
  for (const plan of options.plans.values()) if (plan.kind === 'ref') addRefPrefetcher(run, plan);
  if (
    [...options.nodes.values()].some((node) => node.fetch) &&
    options.schema.getQueryType()?.getFields().node &&
    !options.plans.has('Query.node')
  ) {
    resolvers.Query = { ...resolvers.Query, node: nodeResolver(run) };
  }
  addTypeResolvers(options.schema, resolvers);
  return resolvers;
}

function definitionOf(schema: GraphQLSchema, coordinate: string): GraphQLField<unknown, unknown> {
  const [typeName = '', fieldName = ''] = coordinate.split('.');
  return (schema.getType(typeName) as GraphQLObjectType).getFields()[fieldName] as GraphQLField<unknown, unknown>;
}

/**
 * A field's resolver. A @rest field's arguments are decoded (global ids,
 * enum spellings) here, not in its runner: a @ref, @node(fetch:) or
 * @event(fetch:) calls the runner with upstream values.
 */
function fieldResolver(run: RunContext, coordinate: string, plan: FieldPlan): unknown {
  if (plan.kind === 'rest') {
    const runner = run.runnerOf(coordinate);
    const decode = argumentDecoder(plan.decoding);
    return decode
      ? (((parent, args, context, info) => runner(parent, decode(args), context, info)) satisfies Resolver)
      : runner;
  }
  if (plan.kind === 'ref') return refResolver(run, plan);
  if (plan.kind === 'chain') return chainResolver(run, plan);
  const definition = definitionOf(run.schema, coordinate);
  const decode = argumentDecoder(plan.decoding);
  return eventField(plan, definition, {
    decode,
    mapValue: run.mappers.output(definition.type, run.naming(plan.source), plan.source),
    runnerOf: run.runnerOf,
  });
}

/** A @ref: the Query field it names, called with arguments read from the parent, the field's own arguments or a header. */
function refResolver(run: RunContext, plan: RefPlan): Resolver {
  const readers = plan.args.map(([name, template]) => [name, readerOf(template, run.mappers)] as const);
  const target = run.runnerOf(plan.query);
  return (parent, args, context, info) => {
    const refArgs: Record<string, unknown> = {};
    for (const [name, readArg] of readers) refArgs[name] = readArg(parent, args, context);
    return target(undefined, refArgs, context, info);
  };
}

/**
 * A @ref to a batched field keyed by one of its arguments (`author: User
 * @ref(query: "user", args: { id: "$parent.authorId" })` over a batched
 * `user(id:)`): a list settles its items' keys at once, so each item's
 * reference then resolves synchronously, as a batched field does.
 */
function addRefPrefetcher(run: RunContext, plan: RefPlan): void {
  const target = run.plans.get(plan.query);
  const settle = run.batchSettlers.get(plan.query);
  if (target?.kind !== 'rest' || !target.batch || !settle) return;
  const key = target.batch.key;
  if (key.kind !== 'reference' || key.reference.scope !== 'args' || key.reference.op || key.reference.path.length !== 1)
    return;
  const template = plan.args.find(([name]) => name === key.reference.path[0])?.[1];
  const keyOfParent = template && accessor(template, run.mappers);
  if (!template || !keyOfParent || template.kind !== 'reference' || template.reference.scope !== 'parent') return;
  run.prefetchers.add(plan.coordinate, {
    returns: target.returns,
    fetch: (parents, context) => settle(parents, keyOfParent, context),
  });
}

/** `Query.node(id:)`: the type's @node(fetch:) field, called with the upstream id. */
function nodeResolver(run: RunContext): Resolver {
  return (_parent, args, context, info) => {
    const { type, id } = splitGlobalId(args.id ?? '');
    const fetch = run.nodes.get(type)?.fetch;
    if (!fetch) throw badUserInput(`${type.slice(0, 32)} objects cannot be fetched by id.`);
    return run.runnerOf(`Query.${fetch}`)(undefined, { id }, context, info);
  };
}

function addTypeResolvers(schema: GraphQLSchema, resolvers: ResolverMap): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if ('resolveType' in type && !type.name.startsWith('__'))
      resolvers[type.name] = {
        ...resolvers[type.name],
        __resolveType: (value: unknown) => (value as Partial<MappedObject>)[TYPENAME],
      };
    // A batched first page fetches its total only when read: a promise, which a resolver may return but a plain property read by graphql-jit may not.
    if (connectionNodeType(type) && isObjectType(type) && type.getFields().totalCount)
      resolvers[type.name] = {
        ...resolvers[type.name],
        totalCount: (connection: Connection<unknown>) => connection.totalCount,
      };
  }
}
