/**
 * The pipeline's access step: the fields an operation selects that say who
 * may read them (`@authenticated`, `@requiresScopes`, compiled per field
 * into AccessRules), found once per document, then held against the
 * caller's verified identity on every request, before any upstream call.
 * The first field the caller may not read refuses the whole operation:
 * UNAUTHENTICATED without a verified token, FORBIDDEN without the scopes.
 */
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import type { Identity } from '../auth/token-verifier.ts';
import { GraftError } from '../errors.ts';
import type { AccessRule } from '../mapping/plan.ts';

/** A field the operation selects that says who may read it. */
interface Need {
  coordinate: string;
  rule: AccessRule;
}

export class AccessCheck {
  readonly #needs = new WeakMap<OperationDefinitionNode, readonly Need[]>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly rules: ReadonlyMap<string, AccessRule>,
  ) {}

  /** Whether any field of the graph says who may read it: if none does, the step has nothing to do. */
  get guards(): boolean {
    return this.rules.size > 0;
  }

  /** Refuses an operation the caller may not run; `problem` is why the caller has no identity (a token that did not verify). */
  check(
    document: DocumentNode,
    operation: OperationDefinitionNode,
    identity: Identity | undefined,
    problem?: GraftError,
  ): void {
    for (const { coordinate, rule } of this.#needsOf(document, operation)) {
      if (!identity)
        throw (
          problem ??
          new GraftError('UNAUTHENTICATED', `${coordinate} needs a verified token (Authorization: Bearer …).`, {
            facts: { reason: 'missing' },
          })
        );
      const missing = rule.scopes.find(
        (anyOf) => !anyOf.some((allOf) => allOf.every((scope) => identity.scopes.has(scope))),
      );
      if (missing)
        throw new GraftError(
          'FORBIDDEN',
          `${coordinate} needs the scopes ${missing.map((allOf) => allOf.join(' and ')).join(', or ')}.`,
          { facts: { reason: 'missing-scopes' } },
        );
    }
  }

  #needsOf(document: DocumentNode, operation: OperationDefinitionNode): readonly Need[] {
    const known = this.#needs.get(operation);
    if (known) return known;
    const needs: Need[] = [];
    const seen = new Set<string>();
    const typeInfo = new TypeInfo(this.schema);
    const visitor = visitWithTypeInfo(typeInfo, {
      Field: (node) => {
        const parent = typeInfo.getParentType();
        const coordinate = `${parent?.name}.${node.name.value}`;
        const rule = this.rules.get(coordinate);
        if (rule && !seen.has(coordinate)) needs.push({ coordinate, rule });
        seen.add(coordinate);
      },
    });
    // The operation and the fragments it reaches, each once.
    for (const definition of [operation, ...reachedFragments(document, operation)]) visit(definition, visitor);
    this.#needs.set(operation, needs);
    return needs;
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
