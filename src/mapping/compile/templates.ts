/**
 * Templates in directive arguments (`"/users/{$args.id}"`, `{ q: "$args.q" }`)
 * parsed and checked where they are used: each reference must name an
 * argument, a parent field read from the record, a forwarded header or the
 * write's result. A problem is reported at the reference's column.
 */
import type { ASTNode, GraphQLArgument, GraphQLInputType, GraphQLNamedType, GraphQLObjectType } from 'graphql';
import { getNamedType, getNullableType, isInputObjectType, isListType, isObjectType } from 'graphql';
import {
  type PathTemplate,
  parsePathTemplate,
  parseValueTemplate,
  type Reference,
  referencesIn,
  TemplateError,
  type ValueTemplate,
} from '../../core/template.ts';
import type { Diagnostics } from '../diagnostics.ts';
import { type Arg, directive, entries, integer, text } from '../directive-args.ts';
import type { TemplateMap } from '../plan.ts';
import type { FieldContext } from './compile-context.ts';

export function pathTemplate(
  value: Arg | undefined,
  where: string,
  context: FieldContext & { result?: boolean },
): PathTemplate | undefined {
  const { diagnostics } = context.compiler;
  const source = text(value);
  if (source === undefined) return undefined;
  try {
    const template = parsePathTemplate(source);
    checkReferences(referencesIn(template), value?.node, where, context);
    return template;
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    diagnostics.report(value?.node, `${where}: ${error.message}`, error.offset);
    return undefined;
  }
}

/** `shift`: where the template starts in its string (past a list item's `name: `). */
export function valueTemplate(value: Arg, where: string, context: FieldContext, shift = 0): ValueTemplate {
  const { diagnostics } = context.compiler;
  try {
    const template = parseValueTemplate(value.value);
    checkReferences(referencesIn(template), value.node, where, context, shift);
    return template;
  } catch (error) {
    if (!(error instanceof TemplateError)) throw error;
    diagnostics.report(value.node, `${where}: ${error.message}`, error.offset + shift);
    return { kind: 'literal', value: undefined };
  }
}

export function templateMap(value: Arg | undefined, where: string, context: FieldContext): TemplateMap {
  const { diagnostics } = context.compiler;
  const found = entries(value);
  if (!found) {
    diagnostics.report(
      value?.node,
      `${where} is a map: { name: "value or $template", … }, or a list of "name: value" strings.`,
    );
    return [];
  }
  return found.map(
    ({ name, value: entry, offset }) =>
      [name, valueTemplate(entry, `${where.slice(0, -1)}.${name})`, context, offset)] as const,
  );
}

/** Each reference must name something that exists where the template is used. */
function checkReferences(
  references: readonly Reference[],
  node: ASTNode | undefined,
  where: string,
  context: FieldContext & { result?: boolean },
  shift = 0,
): void {
  const { diagnostics } = context.compiler;
  for (const reference of references) {
    const [name = '', ...rest] = reference.path;
    const report = (message: string) => diagnostics.report(node, `${where}: ${message}`, reference.offset + shift);
    if (reference.scope === 'args') {
      const argument = context.definition.args.find((candidate) => candidate.name === name);
      if (!argument)
        report(
          `$args.${name} is not an argument of ${context.coordinate} (arguments: ${context.definition.args.map((candidate) => candidate.name).join(', ') || 'none'}).`,
        );
      else checkInputPath(argument, rest, report);
    } else if (reference.scope === 'parent') {
      if (!context.parent)
        report(`$parent is not available on a root field: ${context.coordinate} has no parent record.`);
      else checkRecordField(context.parent, 'parent', name, report);
    } else if (reference.scope === 'prev') {
      if (!context.previous) report('$prev is only available in a @chain step after the first.');
      else checkRecordField(context.previous, 'prev', name, report);
    } else if (reference.scope === 'jwt') {
      // Any claim: a token's claims are the issuer's to name. Absent for an anonymous caller, like an absent argument.
    } else if (reference.scope === 'event') {
      if (!context.event) report('$event is only available in @event.');
    } else if (reference.scope === 'header') {
      if (context.source && !context.source.forwardHeaders.includes(name.toLowerCase()))
        report(
          `$header.${name} is not among the headers source "${context.sourceName}" may see (its forwardHeaders: ${context.source.forwardHeaders.join(', ') || 'none'}).`,
        );
    } else if (!context.result) {
      report('$result is only available in invalidates.');
    } else if (!hasField(context.returns, name)) {
      report(`${context.returns.name} has no field "${name}".`);
    }
  }
}

/** `$parent.name` or `$prev.name`: a field of the record's type read from the record, not resolved by a mapping. */
function checkRecordField(
  type: GraphQLObjectType,
  scope: 'parent' | 'prev',
  name: string,
  report: (message: string) => void,
): void {
  const found = type.getFields()[name];
  const directives = found?.astNode?.directives;
  if (found && !['rest', 'ref', 'chain'].some((mapping) => directive(directives, mapping))) return;
  report(
    found
      ? `$${scope}.${name} is resolved by a mapping, not read from ${type.name}'s record; add an @internal field for the value.`
      : `${type.name} has no field "${name}" to read; add it, or an @internal field, to ${type.name}.`,
  );
}

/** `$args.input.title`: each name below the argument must be a field of its input type. */
function checkInputPath(argument: GraphQLArgument, path: readonly string[], report: (message: string) => void): void {
  let type: GraphQLInputType = argument.type;
  let described = `$args.${argument.name}`;
  for (const name of path) {
    const named = getNamedType(type);
    if (/^\d+$/.test(name) && isListType(getNullableType(type))) {
      type = (getNullableType(type) as { ofType: GraphQLInputType }).ofType;
      continue;
    }
    const inputField = isInputObjectType(named) ? named.getFields()[name] : undefined;
    if (!inputField) {
      report(`${described}.${name}: ${named.name} has no field "${name}".`);
      return;
    }
    type = inputField.type;
    described += `.${name}`;
  }
}

export function hasField(type: GraphQLNamedType, name: string): boolean {
  return isObjectType(type) && name in type.getFields();
}

export function positive(diagnostics: Diagnostics, value: Arg | undefined, fallback: number, where: string): number {
  if (!value) return fallback;
  const number = integer(value);
  if (number === undefined || number < 1) {
    diagnostics.report(value.node, `${where} must be a positive integer.`);
    return fallback;
  }
  return number;
}
