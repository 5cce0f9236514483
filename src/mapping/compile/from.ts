/** `@from` on a field read from a record: a dot path and one conversion, checked against the field's type. */
import { type ConstDirectiveNode, type GraphQLField, getNamedType } from 'graphql';
import type { Diagnostics } from '../diagnostics.ts';
import { arg, text } from '../directive-args.ts';

const CONVERSION_TARGETS: Record<string, ReadonlySet<string>> = {
  NUMBER: new Set(['Int', 'Float', 'ID', 'String']),
  STRING: new Set(['String', 'ID']),
  ROUNDED: new Set(['Int', 'Float']),
  DATE_TIME_FROM_UNIX_SECONDS: new Set(['String']),
  DATE_TIME_FROM_UNIX_MILLISECONDS: new Set(['String']),
};

export function checkFrom(
  coordinate: string,
  definition: GraphQLField<unknown, unknown>,
  node: ConstDirectiveNode,
  diagnostics: Diagnostics,
): void {
  if (arg(node, 'value'))
    diagnostics.report(
      arg(node, 'value')?.node,
      `${coordinate} @from(value) is for enum values; a field takes path and as.`,
    );
  const path = arg(node, 'path');
  if (
    path &&
    (text(path) === undefined ||
      text(path)
        ?.split('.')
        .some((part) => part === ''))
  )
    diagnostics.report(path.node, `${coordinate} @from(path) is a dot path such as "main.temp".`);
  const as = text(arg(node, 'as'));
  const target = getNamedType(definition.type).name;
  if (as && CONVERSION_TARGETS[as] && !CONVERSION_TARGETS[as].has(target) && !isCustomScalarName(target))
    diagnostics.report(
      arg(node, 'as')?.node,
      `${coordinate} @from(as: ${as}) makes a ${[...CONVERSION_TARGETS[as]].join(' or ')}; the field is ${target}.`,
    );
}

function isCustomScalarName(name: string): boolean {
  return !['String', 'Int', 'Float', 'Boolean', 'ID'].includes(name) && !name.startsWith('__');
}
