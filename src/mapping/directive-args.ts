/**
 * Reading directive arguments from the SDL's AST, keeping each value's node
 * so that a problem with it is reported at its own line and column.
 */
import { type ConstDirectiveNode, type ConstValueNode, Kind, type ObjectFieldNode, valueFromASTUntyped } from 'graphql';

export interface Arg {
  node: ConstValueNode;
  value: unknown;
}

export function directive(
  directives: readonly ConstDirectiveNode[] | undefined,
  name: string,
): ConstDirectiveNode | undefined {
  return directives?.find((node) => node.name.value === name);
}

export function arg(node: ConstDirectiveNode | undefined, name: string): Arg | undefined {
  const found = node?.arguments?.find((argument) => argument.name.value === name);
  return found && { node: found.value, value: valueFromASTUntyped(found.value) };
}

/** A field of an object literal argument. */
export function field(object: Arg | undefined, name: string): Arg | undefined {
  if (object?.node.kind !== Kind.OBJECT) return undefined;
  const found = object.node.fields.find((node: ObjectFieldNode) => node.name.value === name) as
    | (ObjectFieldNode & { value: ConstValueNode })
    | undefined;
  return found && { node: found.value, value: valueFromASTUntyped(found.value) };
}

/** One entry of a map: its name, and its value with the node (and where the value starts in it). */
export interface Entry {
  name: string;
  value: Arg;
  /** Characters before the value in the node's text: the `name: ` of a list item. */
  offset: number;
}

/**
 * The entries of a GraftMap, in order: an object literal (`{ q: "$args.city" }`),
 * or a list of `"name: value"` strings for names GraphQL does not allow as
 * keys (`["X-Tenant: $header.x-tenant", "page[size]: 10"]`).
 */
export function entries(map: Arg | undefined): Entry[] | undefined {
  if (map === undefined) return [];
  if (map.node.kind === Kind.OBJECT)
    return map.node.fields.map((node) => ({
      name: node.name.value,
      value: { node: node.value as ConstValueNode, value: valueFromASTUntyped(node.value) },
      offset: 0,
    }));
  if (map.node.kind !== Kind.LIST) return undefined;
  const list: Entry[] = [];
  for (const item of map.node.values) {
    const colon = item.kind === Kind.STRING ? item.value.indexOf(':') : -1;
    if (item.kind !== Kind.STRING || colon <= 0) return undefined;
    const rest = item.value.slice(colon + 1);
    const offset = colon + 1 + (rest.length - rest.trimStart().length);
    list.push({ name: item.value.slice(0, colon).trim(), value: { node: item, value: rest.trim() }, offset });
  }
  return list;
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
