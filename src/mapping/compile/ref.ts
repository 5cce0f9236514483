/** `@ref`: a field resolved as a call of a Query field with @rest; the call form @event(fetch:) shares. */
import {
  type ASTNode,
  type ConstDirectiveNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
  getNamedType,
} from 'graphql';
import { type Arg, arg, text } from '../directive-args.ts';
import type { FieldPlan, TemplateMap } from '../plan.ts';
import type { CompileContext, FieldContext } from './compile-context.ts';
import { templateMap } from './templates.ts';

export function compileRef(
  compiler: CompileContext,
  coordinate: string,
  parent: GraphQLObjectType,
  definition: GraphQLField<unknown, unknown>,
  node: ConstDirectiveNode,
): FieldPlan | undefined {
  const context = callContext(compiler, coordinate, parent, definition);
  const target = queryCall(arg(node, 'query'), arg(node, 'args'), node, '@ref', context);
  return target && { kind: 'ref', coordinate, query: target.query, args: target.args };
}

/** What a call of a Query field made for a field (@ref, a @chain step) knows: the field and its parent, no source of its own. */
export function callContext(
  compiler: CompileContext,
  coordinate: string,
  parent: GraphQLObjectType,
  definition: GraphQLField<unknown, unknown>,
): FieldContext {
  const { schema } = compiler;
  const isRoot = parent === schema.getQueryType() || parent === schema.getMutationType();
  return {
    compiler,
    coordinate,
    definition,
    parent: isRoot ? undefined : parent,
    returns: getNamedType(definition.type),
    source: undefined,
    sourceName: undefined,
  };
}

/** A call of a Query field with a @rest mapping, as @ref and @event(fetch) make one: the field must exist and return the same type, and get its required arguments. */
export function queryCall(
  queryArg: Arg | undefined,
  argsArg: Arg | undefined,
  node: ASTNode,
  where: string,
  context: FieldContext,
  /** Checks the field's type against the target's (a @chain step before the last answers another type). */
  sameType = true,
): { query: string; args: TemplateMap; returns: GraphQLOutputType } | undefined {
  const { plans, schema, diagnostics } = context.compiler;
  const { coordinate, definition } = context;
  const queryName = text(queryArg);
  const target = queryName === undefined ? undefined : plans.get(`Query.${queryName}`);
  const targetField = queryName === undefined ? undefined : schema.getQueryType()?.getFields()[queryName];
  const at = `${coordinate} ${where}`;
  const close = where.includes('(') ? '.' : '(';
  if (target?.kind !== 'rest' || !targetField) {
    diagnostics.report(
      queryArg?.node ?? node,
      `${at}${close}query): Query.${queryName ?? ''} is not a field with a @rest mapping.`,
    );
    return undefined;
  }
  if (sameType && getNamedType(targetField.type) !== getNamedType(definition.type)) {
    diagnostics.report(
      queryArg?.node,
      `${coordinate} returns ${getNamedType(definition.type).name} but Query.${queryName} returns ${getNamedType(targetField.type).name}.`,
    );
  }
  const given = templateMap(argsArg, `${at}${close}args)`, context);
  for (const [name] of given) {
    if (!targetField.args.some((argument) => argument.name === name))
      diagnostics.report(argsArg?.node, `${at}${close}args): Query.${queryName} has no argument "${name}".`);
  }
  for (const argument of targetField.args) {
    const required = argument.type.toString().endsWith('!') && argument.defaultValue === undefined;
    if (required && !given.some(([name]) => name === argument.name))
      diagnostics.report(
        argsArg?.node ?? node,
        `${at}${close}args) must give ${argument.name}, which Query.${queryName} requires.`,
      );
  }
  return { query: `Query.${queryName}`, args: given, returns: targetField.type };
}
