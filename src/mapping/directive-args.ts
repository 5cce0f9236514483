/**
 * Reading directive arguments from the SDL's AST, keeping each value's node
 * so that a problem with it is reported at its own line and column.
 */
import { type ConstDirectiveNode, type ConstValueNode, Kind, type ObjectFieldNode, valueFromASTUntyped } from 'graphql';

export interface Arg {
  node: ConstValueNode;
  value: unknown;
}

export function directive(directives: readonly ConstDirectiveNode[] | undefined, name: string): ConstDirectiveNode | undefined {
  return directives?.find((node) => node.name.value === name);
}

export function arg(node: ConstDirectiveNode | undefined, name: string): Arg | undefined {
  const found = node?.arguments?.find((argument) => argument.name.value === name);
  return found && { node: found.value, value: valueFromASTUntyped(found.value) };
}

/** A field of an object literal argument. */
export function field(object: Arg | undefined, name: string): Arg | undefined {
  if (object?.node.kind !== Kind.OBJECT) return undefined;
  const found = object.node.fields.find((node: ObjectFieldNode) => node.name.value === name) as (ObjectFieldNode & { value: ConstValueNode }) | undefined;
  return found && { node: found.value, value: valueFromASTUntyped(found.value) };
}

/** The entries of an object literal (a GraftMap), in order, with their value nodes. */
export function entries(object: Arg | undefined): Array<[string, Arg]> {
  if (object?.node.kind !== Kind.OBJECT) return [];
  return object.node.fields.map((node) => [node.name.value, { node: node.value as ConstValueNode, value: valueFromASTUntyped(node.value) }]);
}

/** The items of a list literal. */
export function items(list: Arg | undefined): Arg[] {
  if (!list) return [];
  if (list.node.kind !== Kind.LIST) return [list];
  return list.node.values.map((node) => ({ node, value: valueFromASTUntyped(node) }));
}

export function text(value: Arg | undefined): string | undefined {
  return typeof value?.value === 'string' ? value.value : undefined;
}

export function integer(value: Arg | undefined): number | undefined {
  return typeof value?.value === 'number' && Number.isInteger(value.value) ? value.value : undefined;
}

export function dotPath(value: Arg | undefined): string[] | undefined {
  const path = text(value);
  return path === undefined || path === '' ? undefined : path.split('.');
}
