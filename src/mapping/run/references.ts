/**
 * `$args.…`, `$parent.…`, `$header.…` and `$result.…` as one request sees
 * them: a plain reference compiled to a direct read, anything else through
 * the template evaluator.
 */
import { read } from '../../core/dot-path.ts';
import { evaluate, type Reference, type ValueTemplate } from '../../core/template.ts';
import type { GatewayContext } from '../gateway-context.ts';
import type { RecordMappers } from '../records.ts';

/** Reads one value for a resolver call. */
export type ValueReader = (parent: unknown, args: Record<string, unknown>, context: GatewayContext) => unknown;

/** A plain reference (no arithmetic) compiled to a direct read; undefined for other templates. */
export function accessor(template: ValueTemplate, mappers: RecordMappers): ValueReader | undefined {
  if (template.kind !== 'reference' || template.reference.op) return undefined;
  const [name = '', ...rest] = template.reference.path;
  switch (template.reference.scope) {
    case 'args':
      return (_parent, args) => read(args[name], rest);
    case 'parent':
      return rest.length === 0
        ? (parent) => mappers.upstreamOf(parent, name)
        : (parent) => read(mappers.upstreamOf(parent, name), rest);
    case 'header':
      return (_parent, _args, context) => context.header(name.toLowerCase());
    case 'jwt':
      return (_parent, _args, context) => claimOf(context, template.reference.path);
    default:
      return undefined;
  }
}

/** The resolver of every reference a template may make, for one resolver call (`result`: what a write answered, or in a @chain step the record the step before answered, `$prev`). */
export function references(
  mappers: RecordMappers,
  parent: unknown,
  args: Record<string, unknown>,
  context: GatewayContext,
  result: unknown,
): (reference: Reference) => unknown {
  return ({ scope, path: [name = '', ...rest] }) => {
    if (scope === 'args') return read(args[name], rest);
    if (scope === 'header') return context.header(name.toLowerCase());
    if (scope === 'jwt') return claimOf(context, [name, ...rest]);
    const holder = scope === 'parent' ? parent : result;
    return read(mappers.upstreamOf(holder, name), rest);
  };
}

/** A template read as directly as it allows: a plain reference by a precompiled accessor. */
export function readerOf(template: ValueTemplate, mappers: RecordMappers): ValueReader {
  return (
    accessor(template, mappers) ??
    ((parent, args, context) => evaluate(template, references(mappers, parent, args, context, undefined)))
  );
}

/** `$jwt.sub`, `$jwt.org_id`, or `$jwt.claims.org_id`: a claim of the caller's verified token; undefined for an anonymous caller. */
function claimOf(context: GatewayContext, path: readonly string[]): unknown {
  const claims = context.identity?.claims;
  return claims && read(claims, path[0] === 'claims' ? path.slice(1) : path);
}
