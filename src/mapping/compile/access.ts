/**
 * `@authenticated` and `@requiresScopes` compiled into one rule per field:
 * a field's own directives, its type's (an object type's or interface's
 * directives hold for each of its fields), and those of the interface
 * fields it implements. What the pipeline checks before execution.
 */
import { type ConstDirectiveNode, type GraphQLSchema, isInterfaceType, isObjectType } from 'graphql';
import { arg } from '../directive-args.ts';
import type { AccessRule } from '../plan.ts';

export function accessRules(schema: GraphQLSchema): Map<string, AccessRule> {
  const rules = new Map<string, AccessRule>();
  for (const type of Object.values(schema.getTypeMap())) {
    if ((!isObjectType(type) && !isInterfaceType(type)) || type.name.startsWith('__')) continue;
    const ofType = type.astNode?.directives ?? [];
    const extensions = type.extensionASTNodes.flatMap((node) => node.directives ?? []);
    for (const field of Object.values(type.getFields())) {
      const inherited = type.getInterfaces().flatMap((face) => face.getFields()[field.name]?.astNode?.directives ?? []);
      const rule = ruleOf([...ofType, ...extensions, ...(field.astNode?.directives ?? []), ...inherited]);
      if (rule) rules.set(`${type.name}.${field.name}`, rule);
    }
  }
  return rules;
}

function ruleOf(directives: readonly ConstDirectiveNode[]): AccessRule | undefined {
  const authenticated = directives.some((node) => node.name.value === 'authenticated');
  const scopes = directives
    .filter((node) => node.name.value === 'requiresScopes')
    .map((node) => (arg(node, 'scopes')?.value as string[][] | undefined) ?? []);
  if (!authenticated && scopes.length === 0) return undefined;
  return { authenticated: authenticated || scopes.length > 0, scopes };
}
