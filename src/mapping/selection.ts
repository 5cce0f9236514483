/**
 * The fields a request selects below a field, as execution will see them:
 * fragments followed, `@skip`/`@include` applied with the request's
 * variables. Used to fetch what a list's items will ask for before the
 * list is handed to execution (see mapping/run/prefetch.ts).
 */
import {
  type FieldNode,
  type FragmentDefinitionNode,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  getDirectiveValues,
  Kind,
  type SelectionSetNode,
} from 'graphql';

export interface SelectionScope {
  fragments: Readonly<Record<string, FragmentDefinitionNode>>;
  variableValues: Readonly<Record<string, unknown>>;
}

/**
 * The fields selected on objects of `typeName` below `nodes`; fragments whose
 * type condition names another type are left out (a fragment on an abstract
 * type may hold fields of this one, but only Node is supported and it has no
 * fetched fields).
 */
export function selectedFields(
  nodes: readonly FieldNode[],
  typeName: string | undefined,
  scope: SelectionScope,
): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const node of nodes) if (node.selectionSet) collect(node.selectionSet, typeName, scope, fields, 0);
  return fields;
}

/** The fields named `name` among `fields` (aliases included). */
export function fieldsNamed(fields: readonly FieldNode[], name: string): FieldNode[] {
  return fields.filter((field) => field.name.value === name);
}

// Validation refused fragment cycles; the depth bound only keeps a bad document from recursing far.
const MAX_FRAGMENT_DEPTH = 16;

function collect(
  selectionSet: SelectionSetNode,
  typeName: string | undefined,
  scope: SelectionScope,
  into: FieldNode[],
  depth: number,
): void {
  if (depth > MAX_FRAGMENT_DEPTH) return;
  for (const selection of selectionSet.selections) {
    if (!included(selection, scope)) continue;
    if (selection.kind === Kind.FIELD) into.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (applies(selection.typeCondition?.name.value, typeName))
        collect(selection.selectionSet, typeName, scope, into, depth + 1);
    } else {
      const fragment = scope.fragments[selection.name.value];
      if (fragment && applies(fragment.typeCondition.name.value, typeName))
        collect(fragment.selectionSet, typeName, scope, into, depth + 1);
    }
  }
}

function applies(condition: string | undefined, typeName: string | undefined): boolean {
  return condition === undefined || typeName === undefined || condition === typeName;
}

function included(node: Parameters<typeof getDirectiveValues>[1], scope: SelectionScope): boolean {
  if (!node.directives?.length) return true;
  const variables = scope.variableValues as Record<string, unknown>;
  if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
}
