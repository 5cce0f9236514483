/**
 * Whether the caller may read a field under its access rule (compile/access.ts):
 * one judgement for the pipeline's check before execution and the
 * resolvers' guard during it, so that both refuse alike.
 */
import type { Identity } from '../auth/token-verifier.ts';
import { GraftError } from '../errors.ts';
import { evaluateExpression } from './expression/evaluate-expression.ts';
import type { AccessRule } from './plan.ts';

/** What the policies of a field read besides the token. */
export interface PolicyInputs {
  args: Readonly<Record<string, unknown>>;
  /** A field of the object the field is read from; absent before execution, when policies over `$parent` wait. */
  parent?: (field: string) => unknown;
}

/** Why the caller may not read `coordinate`, or undefined when it may; without `inputs`, its policies are not judged. */
export function refusalOf(
  coordinate: string,
  rule: AccessRule,
  identity: Identity | undefined,
  inputs?: PolicyInputs,
): GraftError | undefined {
  if (!identity)
    return new GraftError('UNAUTHENTICATED', `${coordinate} needs a verified token.`, {
      facts: { reason: 'missing' },
    });
  const missing = rule.scopes.find(
    (anyOf) => !anyOf.some((allOf) => allOf.every((scope) => identity.scopes.has(scope))),
  );
  if (missing)
    return new GraftError(
      'FORBIDDEN',
      `${coordinate} needs the scopes ${missing.map((allOf) => allOf.join(' and ')).join(', or ')}.`,
      { facts: { reason: 'missing-scopes' } },
    );
  if (!inputs) return undefined;
  for (const policy of rule.policies) {
    const { parent } = inputs;
    if (policy.parentFields.length > 0 && !parent) continue;
    const $parent: Record<string, unknown> = {};
    for (const field of policy.parentFields) $parent[field] = parent?.(field);
    const scope = { $jwt: identity.claims, $args: inputs.args, $parent };
    if (evaluateExpression(policy.expression, scope) !== true)
      return new GraftError('FORBIDDEN', `${coordinate} is not for this caller (@policy).`, {
        facts: { reason: 'policy' },
      });
  }
  return undefined;
}
