/**
 * `Query._entities` and `Query._service` of the graph served as a
 * federation subgraph (federation/subgraph.ts says which types are
 * entities). A fetched entity is loaded through its `@node(fetch:)` Query
 * field's served resolver, as a client's `user(id:)` would be: the same
 * argument decoding, access rule and batching, so fifty representations of
 * one type are one upstream call when that field has a batch form. An item
 * that cannot be resolved fails alone, at its index.
 */
import type { GraphQLFieldResolver, GraphQLResolveInfo } from 'graphql';
import { badUserInput } from '../../errors.ts';
import type { EntityPlan } from '../plan.ts';
import { TYPENAME } from '../records.ts';
import { decodeGlobalId } from './arguments.ts';

type Representation = Record<string, unknown> & { __typename: string };

export function federationResolvers(
  entities: ReadonlyMap<string, EntityPlan>,
  sdl: string,
): Record<string, Record<string, unknown>> {
  const service = { sdl };
  const entity = (given: unknown, context: unknown, info: GraphQLResolveInfo): unknown => {
    if (typeof given !== 'object' || given === null || typeof (given as Representation).__typename !== 'string')
      return badUserInput('A representation is an object with a __typename.');
    const representation = given as Representation;
    const typeName = representation.__typename;
    const plan = entities.get(typeName);
    if (!plan) return badUserInput(`${typeName.slice(0, 64)} is not an entity this subgraph resolves.`);
    if (plan.fetch === undefined) return representation;
    const field = info.schema.getQueryType()?.getFields()[plan.fetch];
    if (!field?.resolve) return badUserInput(`${typeName.slice(0, 64)} cannot be fetched.`);
    try {
      // The fetch field decodes a global id itself when its argument says @globalId; else it takes the upstream key.
      const id = plan.globalId ? representation.id : decodeGlobalId(representation.id, typeName);
      const resolve = field.resolve as GraphQLFieldResolver<unknown, unknown>;
      return resolve(undefined, { id }, context, info);
    } catch (error) {
      return error;
    }
  };
  return {
    Query: {
      _service: () => service,
      ...(entities.size > 0 && {
        _entities: (
          _parent: unknown,
          args: { representations: readonly unknown[] },
          context: unknown,
          info: GraphQLResolveInfo,
        ) => args.representations.map((representation) => entity(representation, context, info)),
      }),
    },
    ...(entities.size > 0 && {
      _Entity: {
        // A fetched record knows its type; a representation says it.
        __resolveType: (value: Partial<Record<typeof TYPENAME, string>> & { __typename?: string }) =>
          value[TYPENAME] ?? value.__typename,
      },
    }),
  };
}
