/** `@compute(expr:)`: a field's value computed from its record, parsed and checked against the field's type at start-up. */
import {
  type ConstDirectiveNode,
  type GraphQLField,
  getNamedType,
  getNullableType,
  isEnumType,
  isListType,
} from 'graphql';
import type { Diagnostics } from '../diagnostics.ts';
import { arg, text } from '../directive-args.ts';
import { checkExpression, kindsFor } from '../expression/check-expression.ts';
import { type Expression, ExpressionError, parseExpression } from '../expression/parse-expression.ts';

export function compileCompute(
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
