/**
 * The resolvers' guard: each field that says who may read it judges its
 * caller again as it resolves, before its own upstream call. The pipeline's
 * check before execution refuses whole operations (and so makes this guard
 * pass); the guard is what judges a policy over `$parent`, which needs the
 * object, and what nulls a field with its coded error when the config asks
 * for partial answers (`auth.unauthorized: 'null'`) instead of refusals.
 */
import { defaultFieldResolver, type GraphQLSchema, isObjectType } from 'graphql';
import { refusalOf } from '../access-verdict.ts';
import type { GatewayContext } from '../gateway-context.ts';
import type { AccessRule } from '../plan.ts';

export function guardFields(
  schema: GraphQLSchema,
  rules: ReadonlyMap<string, AccessRule>,
  upstreamOf: (parent: unknown, field: string) => unknown,
): void {
  for (const [coordinate, rule] of rules) {
    const [typeName = '', fieldName = ''] = coordinate.split('.');
    const type = schema.getType(typeName);
    const field = isObjectType(type) ? type.getFields()[fieldName] : undefined;
    if (!field) continue; // an interface's rule is held by its types' fields; an @internal field is not served
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = (parent, args, context: GatewayContext, info) => {
      const refusal = refusalOf(coordinate, rule, context.identity, {
        args,
        parent: (name) => upstreamOf(parent, name),
      });
      if (refusal) throw refusal;
      return resolve(parent, args, context, info);
    };
  }
}
