/**
 * `@chain`: a field resolved by calls in sequence, each a call of a Query
 * field with @rest (as @ref makes one), its arguments reading `$prev`, the
 * record the step before answered. Every step but the last answers one
 * object; the last answers the field's type.
 */
import {
  type ConstDirectiveNode,
  type GraphQLField,
  type GraphQLObjectType,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
} from 'graphql';
import { arg, field, items } from '../directive-args.ts';
import type { ChainPlan } from '../plan.ts';
import { argumentDecoding } from './arguments.ts';
import type { CompileContext } from './compile-context.ts';
import { callContext, queryCall } from './ref.ts';

export function compileChain(
  compiler: CompileContext,
  coordinate: string,
  parent: GraphQLObjectType,
  definition: GraphQLField<unknown, unknown>,
  node: ConstDirectiveNode,
): ChainPlan | undefined {
  const { diagnostics } = compiler;
  const stepArgs = items(arg(node, 'steps'));
  if (stepArgs.length < 2) {
    diagnostics.report(
      arg(node, 'steps')?.node ?? node,
      `${coordinate} @chain(steps) has ${stepArgs.length === 0 ? 'no steps' : 'one step'}: a chain is two calls or more (one is @ref).`,
    );
    return undefined;
  }
  const steps: Array<ChainPlan['steps'][number]> = [];
  let previous: GraphQLObjectType | undefined;
  for (const [index, step] of stepArgs.entries()) {
    const last = index === stepArgs.length - 1;
    const context = { ...callContext(compiler, coordinate, parent, definition), previous };
    const where = `@chain(steps.${index}`;
    const call = queryCall(field(step, 'query'), field(step, 'args'), step.node, where, context, last);
    if (!call) return undefined;
    const answers = getNamedType(call.returns);
    if (!last && (isListType(getNullableType(call.returns)) || !isObjectType(answers))) {
      diagnostics.report(
        field(step, 'query')?.node,
        `${coordinate} @chain(steps.${index}.query): ${call.query} returns ${String(call.returns)}; a step before the last answers one object, which the next reads as $prev.`,
      );
      return undefined;
    }
    steps.push({ query: call.query, args: call.args });
    previous = isObjectType(answers) ? answers : undefined;
  }
  return { kind: 'chain', coordinate, decoding: argumentDecoding(definition), steps };
}
