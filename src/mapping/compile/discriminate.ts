/**
 * Unions and interfaces over REST answers: `@discriminate` on the abstract
 * type says which member a record is, `@rest(type:)` on a field says every
 * record of its call is one member. Checked here: each value names a member,
 * each member can be picked, and every field that maps records of an
 * abstract type has one of the two (or hand-written code that decides).
 */
import {
  type GraphQLAbstractType,
  type GraphQLNamedType,
  getNamedType,
  isAbstractType,
  isObjectType,
  isUnionType,
} from 'graphql';
import { connectionNodeType } from '../connection-types.ts';
import { type Arg, arg, directive, entries, text } from '../directive-args.ts';
import type { DiscriminatorPlan } from '../plan.ts';
import type { CompileContext } from './compile-context.ts';

export function discriminatorPlans(compiler: CompileContext): Map<string, DiscriminatorPlan> {
  const plans = new Map<string, DiscriminatorPlan>();
  for (const type of Object.values(compiler.schema.getTypeMap())) {
    const found = isAbstractType(type) ? directive(type.astNode?.directives, 'discriminate') : undefined;
    if (!found || !isAbstractType(type)) continue;
    const members = compiler.schema.getPossibleTypes(type).map((member) => member.name);
    const where = `${type.name} @discriminate`;
    const member = (value: Arg | undefined, at: string): string | undefined => {
      const name = text(value);
      if (name !== undefined && members.includes(name)) return name;
      compiler.diagnostics.report(
        value?.node,
        `${where}(${at}): ${name === undefined ? 'a member is named by a string' : `${name} is not a member of ${type.name}`} (members: ${members.join(', ') || 'none'}).`,
      );
      return undefined;
    };
    const pairs = (name: 'values' | 'has'): Array<[string, string]> => {
      const value = arg(found, name);
      const list = entries(value);
      if (!list) {
        compiler.diagnostics.report(
          value?.node,
          `${where}(${name}) is a map: { name: "Member" }, or a list of "name: Member".`,
        );
        return [];
      }
      return list.flatMap((entry) => {
        const picked = member(entry.value, `${name}.${entry.name}`);
        return picked ? [[entry.name, picked] as [string, string]] : [];
      });
    };
    const field = text(arg(found, 'field'));
    const values = arg(found, 'values') ? new Map(pairs('values')) : undefined;
    const has = pairs('has').map(([path, name]) => [path.split('.'), name] as const);
    const fallbackArg = arg(found, 'default');
    const fallback = fallbackArg ? member(fallbackArg, 'default') : undefined;
    if (values && field === undefined)
      compiler.diagnostics.report(
        arg(found, 'values')?.node,
        `${where}(values) maps the values of a field: name it with field.`,
      );
    else if (field === undefined && has.length === 0 && !fallbackArg)
      compiler.diagnostics.report(found, `${where} needs field, has or default: what tells a record's member.`);
    const plan: DiscriminatorPlan = { type: type.name, members, field: field?.split('.'), values, has, fallback };
    const unpicked = members.filter((name) => !canPick(plan, name));
    if (unpicked.length > 0)
      compiler.diagnostics.report(
        found,
        `${where}: nothing picks ${unpicked.join(', ')}; give ${unpicked.length > 1 ? 'each' : 'it'} a value in values or has, or make it the default.`,
      );
    plans.set(type.name, plan);
  }
  return plans;
}

function canPick(plan: DiscriminatorPlan, member: string): boolean {
  if (plan.field && !plan.values) return true; // any member, by its own name
  return (
    plan.fallback === member ||
    plan.has.some(([, name]) => name === member) ||
    [...(plan.values?.values() ?? [])].includes(member)
  );
}

/**
 * The union or interface whose records a field maps (its own type, or a
 * connection's node type), when something must pick their member: not
 * `Node`, whose records come from the @node(fetch:) fields of their own types.
 */
export function abstractRowType(type: GraphQLNamedType): GraphQLAbstractType | undefined {
  const row = connectionNodeType(type) ?? type;
  return isAbstractType(row) && row.name !== 'Node' ? row : undefined;
}

/**
 * Every field of an object type that maps records of a union or interface
 * has a way to pick their member: `@discriminate` on the type, `@rest(type:)`
 * on the field, or hand-written code (`__resolveType`, `__isTypeOf`, or the
 * field's own resolver).
 */
export function checkAbstractFields(
  compiler: CompileContext,
  discriminators: ReadonlyMap<string, DiscriminatorPlan>,
  decidedByHand: ReadonlySet<string>,
): void {
  for (const type of Object.values(compiler.schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const definition of Object.values(type.getFields())) {
      const coordinate = `${type.name}.${definition.name}`;
      const row = abstractRowType(getNamedType(definition.type));
      if (!row || discriminators.has(row.name) || decidedByHand.has(row.name) || compiler.handWritten.has(coordinate))
        continue;
      const plan = compiler.plans.get(coordinate);
      if (plan?.kind === 'rest' && plan.member) continue;
      if (type === compiler.schema.getSubscriptionType() && !plan) continue;
      compiler.diagnostics.report(
        definition.astNode?.type,
        `${coordinate} returns ${row.name}, a ${isUnionType(row) ? 'union' : 'interface'}, and nothing picks which member a record is: add @discriminate to ${row.name}${plan?.kind === 'rest' ? ', @rest(type:) to the field' : ''}, or a hand-written __resolveType.`,
      );
    }
  }
}

/** `@rest(type:)`: a member of the union or interface the field's records are. */
export function restMember(
  value: Arg | undefined,
  coordinate: string,
  returns: GraphQLNamedType,
  compiler: CompileContext,
): string | undefined {
  const name = text(value);
  if (!value || name === undefined) return undefined;
  if (!isAbstractType(returns)) {
    compiler.diagnostics.report(
      value.node,
      `${coordinate} @rest(type) picks a member of a union or interface; ${returns.name} is not one.`,
    );
    return undefined;
  }
  const members = compiler.schema.getPossibleTypes(returns).map((member) => member.name);
  if (members.includes(name)) return name;
  compiler.diagnostics.report(
    value.node,
    `${coordinate} @rest(type): ${name} is not a member of ${returns.name} (members: ${members.join(', ')}).`,
  );
  return undefined;
}

/** `@rest(errors: [{ type }])`: members of the field's union or interface. */
export function errorMembers(
  values: ReadonlyArray<Arg | undefined>,
  coordinate: string,
  returns: GraphQLNamedType,
  compiler: CompileContext,
): void {
  for (const value of values) {
    const name = text(value);
    if (!value || name === undefined) continue;
    const members = isAbstractType(returns)
      ? compiler.schema.getPossibleTypes(returns).map((member) => member.name)
      : [];
    if (members.includes(name)) continue;
    compiler.diagnostics.report(
      value.node,
      isAbstractType(returns)
        ? `${coordinate} @rest(errors.type): ${name} is not a member of ${returns.name} (members: ${members.join(', ')}).`
        : `${coordinate} @rest(errors.type): an error answer becomes data of a union or interface member; the field is ${returns.name}, an object type.`,
    );
  }
}
