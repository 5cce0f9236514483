/** `@compute(expr:)`: a field's value computed from its record, parsed and checked against the field's type at start-up. */
import {
  type ConstDirectiveNode,
  type GraphQLField,
  type GraphQLObjectType,
  getNamedType,
  getNullableType,
  isEnumType,
  isListType,
} from 'graphql';
import type { Diagnostics } from '../diagnostics.ts';
import { arg, text } from '../directive-args.ts';
import { checkExpression, kindsFor } from '../expression/check-expression.ts';
import { type Expression, ExpressionError, parseExpression } from '../expression/parse-expression.ts';
import type { CompileContext } from './compile-context.ts';

/** A `@compute` field: alone (not beside another way to resolve it) and off the root types. */
export function compileComputed(
  compiler: CompileContext,
  coordinate: string,
  type: GraphQLObjectType,
  definition: GraphQLField<unknown, unknown>,
  compute: ConstDirectiveNode,
  besides: string | undefined,
): void {
  const { schema, diagnostics, handWritten } = compiler;
  const other = besides ? `@${besides}` : handWritten.has(coordinate) ? 'a hand-written resolver' : undefined;
  if (other) diagnostics.report(compute, `${coordinate} has @compute and ${other}; keep one.`);
  else if (type === schema.getQueryType() || type === schema.getMutationType())
    diagnostics.report(compute, `${coordinate} is a root field: @compute reads a parent record, which it has not.`);
  const expression = expressionOf(coordinate, definition, compute, diagnostics);
  if (expression) compiler.computed.set(coordinate, expression);
}

/** The expression, parsed and checked against the field's type; undefined (reported) when it is not right. */
function expressionOf(
  coordinate: string,
  definition: GraphQLField<unknown, unknown>,
  node: ConstDirectiveNode,
  diagnostics: Diagnostics,
): Expression | undefined {
  const value = arg(node, 'expr');
  const source = text(value);
  if (source === undefined) {
    diagnostics.report(value?.node ?? node, `${coordinate} @compute(expr) is an expression in a string.`);
    return undefined;
  }
  const named = getNamedType(definition.type);
  const accepts = kindsFor(named.name, isListType(getNullableType(definition.type)), isEnumType(named));
  try {
    const expression = parseExpression(source);
    const problems = checkExpression(expression, accepts, String(definition.type));
    for (const problem of problems)
      diagnostics.report(value?.node, `${coordinate} @compute(expr): ${problem.message}`, problem.offset);
    return problems.length === 0 ? expression : undefined;
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    diagnostics.report(value?.node, `${coordinate} @compute(expr): ${error.message}`, error.offset);
    return undefined;
  }
}
