/** `@node` types (global ids, `Query.node`) and the `@globalId` arguments that name them. */
import {
  type ConstDirectiveNode,
  type GraphQLArgument,
  type GraphQLObjectType,
  getNamedType,
  isInputObjectType,
  isObjectType,
} from 'graphql';
import { arg, directive, text } from '../directive-args.ts';
import type { NodePlan } from '../plan.ts';
import type { CompileContext } from './compile-context.ts';
import { hasField } from './templates.ts';

/** The @node plan of every object type that has one. */
export function nodePlans(types: readonly GraphQLObjectType[]): Map<string, NodePlan> {
  const nodes = new Map<string, NodePlan>();
  for (const type of types) {
    const found = directive(type.astNode?.directives, 'node');
    if (found) nodes.set(type.name, { key: text(arg(found, 'key')) ?? 'id', fetch: text(arg(found, 'fetch')) });
  }
  return nodes;
}

export function checkNodes({ schema, nodes, diagnostics }: CompileContext): void {
  for (const [typeName, node] of nodes) {
    const type = schema.getType(typeName) as GraphQLObjectType;
    const at = directive(type.astNode?.directives, 'node');
    if (!hasField(type, node.key))
      diagnostics.report(arg(at, 'key')?.node ?? at, `${typeName} @node(key): ${typeName} has no field "${node.key}".`);
    if (!type.getFields().id)
      diagnostics.report(at, `${typeName} @node: the type needs an id: ID! field for its global id.`);
    if (type.getInterfaces().some((iface) => iface.name === 'Node') && !node.fetch)
      diagnostics.report(
        at,
        `${typeName} implements Node, so @node needs fetch: the Query field that loads one by id.`,
      );
    if (node.fetch === undefined) continue;
    const fetch = schema.getQueryType()?.getFields()[node.fetch];
    if (!fetch || getNamedType(fetch.type) !== type || !fetch.args.some((argument) => argument.name === 'id')) {
      diagnostics.report(
        arg(at, 'fetch')?.node,
        `${typeName} @node(fetch): Query.${node.fetch} must exist, return ${typeName} and take an id argument.`,
      );
    }
  }
}

export function checkGlobalIds({ schema, nodes, diagnostics }: CompileContext): void {
  for (const type of Object.values(schema.getTypeMap())) {
    const holders: Array<
      GraphQLArgument | { name: string; astNode: { directives?: readonly ConstDirectiveNode[] } | undefined | null }
    > = [];
    if (isObjectType(type)) for (const definition of Object.values(type.getFields())) holders.push(...definition.args);
    if (isInputObjectType(type)) holders.push(...Object.values(type.getFields()));
    for (const holder of holders) {
      const at = directive(holder.astNode?.directives, 'globalId');
      const target = text(arg(at, 'type'));
      if (at && (target === undefined || !nodes.has(target)))
        diagnostics.report(
          arg(at, 'type')?.node ?? at,
          `@globalId(type: "${target ?? ''}") names a type without @node.`,
        );
    }
  }
}
