/**
 * `@authenticated`, `@requiresScopes` and `@policy` compiled into one rule
 * per field: a field's own directives, its type's (an object type's or
 * interface's directives hold for each of its fields), and those of the
 * interface fields it implements. What the pipeline checks before
 * execution, and the resolvers as each object arrives (a policy over `$parent`).
 */
import {
  type ConstDirectiveNode,
  type GraphQLField,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  type GraphQLSchema,
  isInterfaceType,
  isObjectType,
} from 'graphql';
import type { Diagnostics } from '../diagnostics.ts';
import { arg, text } from '../directive-args.ts';
import { checkExpression } from '../expression/check-expression.ts';
import { type Expression, ExpressionError, parseExpression } from '../expression/parse-expression.ts';
import type { AccessPolicy, AccessRule } from '../plan.ts';

/** What a policy may read. */
const POLICY_SCOPES = new Set(['$jwt', '$args', '$parent']);

export function accessRules(schema: GraphQLSchema, diagnostics: Diagnostics): Map<string, AccessRule> {
  const rules = new Map<string, AccessRule>();
  const roots = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]);
  for (const type of Object.values(schema.getTypeMap())) {
    if ((!isObjectType(type) && !isInterfaceType(type)) || type.name.startsWith('__')) continue;
    const ofType = type.astNode?.directives ?? [];
    const extensions = type.extensionASTNodes.flatMap((node) => node.directives ?? []);
    for (const field of Object.values(type.getFields())) {
      const inherited = type.getInterfaces().flatMap((face) => face.getFields()[field.name]?.astNode?.directives ?? []);
      const directives = [...ofType, ...extensions, ...(field.astNode?.directives ?? []), ...inherited];
      const coordinate = `${type.name}.${field.name}`;
      const policies = directives
        .filter((node) => node.name.value === 'policy')
        .flatMap(
          (node) => policyOf(node, coordinate, field, roots.has(type as never) ? undefined : type, diagnostics) ?? [],
        );
      const rule = ruleOf(directives, policies);
      if (rule) rules.set(coordinate, rule);
    }
  }
  return rules;
}

function ruleOf(directives: readonly ConstDirectiveNode[], policies: AccessPolicy[]): AccessRule | undefined {
  const authenticated = directives.some((node) => node.name.value === 'authenticated');
  const scopes = directives
    .filter((node) => node.name.value === 'requiresScopes')
    .map((node) => (arg(node, 'scopes')?.value as string[][] | undefined) ?? []);
  if (!authenticated && scopes.length === 0 && policies.length === 0) return undefined;
  return { authenticated: true, scopes, policies };
}

/** A `@policy(allow:)`, parsed and checked against the field it guards; undefined (reported) when it is not right. */
function policyOf(
  node: ConstDirectiveNode,
  coordinate: string,
  field: GraphQLField<unknown, unknown>,
  parent: GraphQLObjectType | GraphQLInterfaceType | undefined,
  diagnostics: Diagnostics,
): AccessPolicy | undefined {
  const value = arg(node, 'allow');
  const allow = text(value);
  if (allow === undefined) return undefined;
  const report = (message: string, offset?: number) =>
    diagnostics.report(value?.node ?? node, `${coordinate} @policy(allow): ${message}`, offset);
  let expression: Expression;
  try {
    expression = parseExpression(allow);
  } catch (error) {
    if (!(error instanceof ExpressionError)) throw error;
    report(error.message, error.offset);
    return undefined;
  }
  const problems = checkExpression(expression, new Set(['boolean', 'unknown']), 'Boolean');
  for (const problem of problems) report(problem.message, problem.offset);
  const parentFields = new Set<string>();
  for (const { scope, name, at } of referencesOf(expression)) {
    if (!POLICY_SCOPES.has(scope)) report(`"${scope}" is not $jwt, $args or $parent.`, at);
    else if (name === undefined) {
      if (scope !== '$jwt') report(`read a field of ${scope} ("${scope}.name").`, at);
    } else if (scope === '$args' && !field.args.some((argument) => argument.name === name))
      report(`${coordinate} has no argument "${name}".`, at);
    else if (scope === '$parent' && !parent) report('a root field has no $parent.', at);
    else if (scope === '$parent' && !parent?.getFields()[name]) report(`${parent?.name} has no field "${name}".`, at);
    else if (scope === '$parent') parentFields.add(name);
  }
  return problems.length > 0 ? undefined : { allow, expression, parentFields: [...parentFields] };
}

type Reference = { scope: string; name: string | undefined; at: number };

/** The names an expression reads outside its lambdas' parameters, with the member read of each (`$args.id`: id). */
function referencesOf(expression: Expression, parameters: ReadonlySet<string> = new Set()): Reference[] {
  if (expression.kind === 'name')
    return parameters.has(expression.name) ? [] : [{ scope: expression.name, name: undefined, at: expression.at }];
  if (expression.kind === 'member' && expression.target.kind === 'name' && !parameters.has(expression.target.name))
    return [{ scope: expression.target.name, name: expression.name, at: expression.target.at }];
  const inner = expression.kind === 'lambda' ? new Set([...parameters, expression.parameter]) : parameters;
  return partsOf(expression).flatMap((part) => referencesOf(part, inner));
}

function partsOf(expression: Expression): readonly Expression[] {
  switch (expression.kind) {
    case 'literal':
    case 'name':
      return [];
    case 'member':
      return [expression.target];
    case 'template':
      return expression.parts.filter((part): part is Expression => typeof part !== 'string');
    case 'unary':
      return [expression.operand];
    case 'binary':
      return [expression.left, expression.right];
    case 'conditional':
      return [expression.test, expression.then, expression.otherwise];
    case 'method':
      return [expression.target, ...expression.args];
    case 'lambda':
      return [expression.body];
  }
}
