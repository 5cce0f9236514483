/**
 * The pipeline's access step: the fields an operation selects that say who
 * may read them (`@authenticated`, `@requiresScopes`, `@policy`, compiled
 * per field into AccessRules), found once per document, then held against
 * the caller's verified identity and the request's arguments on every
 * request, before any upstream call. The first field the caller may not
 * read refuses the whole operation: UNAUTHENTICATED without a verified
 * token, FORBIDDEN without the scopes or against a policy. Policies that
 * read `$parent` wait for the object (the resolvers' guard).
 */
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLSchema,
  getArgumentValues,
  Kind,
  type OperationDefinitionNode,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import type { Identity } from '../auth/token-verifier.ts';
import { refusalOf } from '../mapping/access-verdict.ts';
import type { AccessRule } from '../mapping/plan.ts';

/** A field the operation selects that says who may read it, with each place the operation selects it. */
interface Need {
  coordinate: string;
  rule: AccessRule;
  definition: GraphQLField<unknown, unknown>;
  /** Only for a field with policies that read its arguments. */
  nodes: FieldNode[];
}

export class AccessCheck {
  readonly #needs = new WeakMap<OperationDefinitionNode, readonly Need[]>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly rules: ReadonlyMap<string, AccessRule>,
  ) {}

  /** Refuses an operation the caller may not run, with the first field it may not read. */
  check(
    document: DocumentNode,
    operation: OperationDefinitionNode,
    identity: Identity | undefined,
    variables: Readonly<Record<string, unknown>> | null | undefined,
  ): void {
    for (const { coordinate, rule, definition, nodes } of this.#needsOf(document, operation)) {
      const refusal = refusalOf(coordinate, rule, identity);
      if (refusal) throw refusal;
      for (const node of nodes) {
        const args = argumentsOf(definition, node, variables);
        // Arguments that do not coerce fail the execution itself, with the reason; the resolvers' guard judges again.
        const refused = args && refusalOf(coordinate, rule, identity, { args });
        if (refused) throw refused;
      }
    }
  }

  #needsOf(document: DocumentNode, operation: OperationDefinitionNode): readonly Need[] {
    const known = this.#needs.get(operation);
    if (known) return known;
    const needs = new Map<string, Need>();
    const typeInfo = new TypeInfo(this.schema);
    const visitor = visitWithTypeInfo(typeInfo, {
      Field: (node) => {
        const coordinate = `${typeInfo.getParentType()?.name}.${node.name.value}`;
        const rule = this.rules.get(coordinate);
        const definition = typeInfo.getFieldDef();
        if (!rule || !definition) return;
        const need = needs.get(coordinate) ?? { coordinate, rule, definition, nodes: [] };
        needs.set(coordinate, need);
        if (rule.policies.some((policy) => policy.parentFields.length === 0)) need.nodes.push(node);
      },
    });
    // The operation and the fragments it reaches, each once.
    for (const definition of [operation, ...reachedFragments(document, operation)]) visit(definition, visitor);
    const list = [...needs.values()];
    this.#needs.set(operation, list);
    return list;
  }
}

/** A field's arguments at one place of the document, with the request's variables; undefined when they do not coerce. */
function argumentsOf(
  definition: GraphQLField<unknown, unknown>,
  node: FieldNode,
  variables: Readonly<Record<string, unknown>> | null | undefined,
): Record<string, unknown> | undefined {
  try {
    return getArgumentValues(definition, node, variables ?? {});
  } catch {
    return undefined;
  }
}

function reachedFragments(document: DocumentNode, operation: OperationDefinitionNode): FragmentDefinitionNode[] {
  const fragments = new Map(
    document.definitions.flatMap((definition) =>
      definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [],
    ),
  );
  const reached = new Map<string, FragmentDefinitionNode>();
  const walk = (node: OperationDefinitionNode | FragmentDefinitionNode) =>
    visit(node, {
      FragmentSpread(spread) {
        const fragment = fragments.get(spread.name.value);
        if (!fragment || reached.has(fragment.name.value)) return;
        reached.set(fragment.name.value, fragment);
        walk(fragment);
      },
    });
  walk(operation);
  return [...reached.values()];
}
