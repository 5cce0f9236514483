/**
 * Upstream failures as a declared field reports them: the status mapping
 * its `@rest(errors:)` declares, or the error answer's body as data.
 */
import { read } from '../../core/dot-path.ts';
import { GraftError } from '../../errors.ts';
import type { Path, RestPlan } from '../plan.ts';

/** A declared error mapping for the upstream status, or the error as it was. */
export function mappedError(plan: Pick<RestPlan, 'source' | 'errors'>, error: unknown): unknown {
  if (!(error instanceof GraftError) || error.status === undefined) return error;
  const mapping = plan.errors.find((candidate) => candidate.status === error.status);
  // A mapping to a member is data, made where the field's value is (errorAsData).
  if (!mapping || mapping.member) return error;
  const said = mapping.message ? messageIn(error.upstreamBody, mapping.message) : undefined;
  const message = said ?? `${plan.source} refused the request (HTTP ${error.status}).`;
  return new GraftError(mapping.code, message, {
    source: plan.source,
    status: error.status,
    requestId: error.requestId,
    cause: error,
  });
}

/**
 * An upstream error answer the field declared as data (`errors: [{ status:
 * 404, type: "NotFound" }]`): the member, and the record its mapper reads,
 * the answer's JSON body (a body that is not a JSON object as `message`)
 * with its `status`. Undefined for any other error.
 */
export function errorAsData(
  plan: Pick<RestPlan, 'errors'>,
  error: unknown,
): { member: string; record: Record<string, unknown> } | undefined {
  if (!(error instanceof GraftError) || error.status === undefined) return undefined;
  const member = plan.errors.find((candidate) => candidate.status === error.status)?.member;
  if (!member) return undefined;
  let body: unknown;
  try {
    body = error.upstreamBody === undefined ? undefined : JSON.parse(error.upstreamBody);
  } catch {
    body = error.upstreamBody;
  }
  const fields =
    typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : { message: typeof body === 'string' ? body.slice(0, 500) : undefined };
  return { member, record: { status: error.status, ...fields } };
}

/** The client message in an upstream error answer: a string, or a list of strings or of { field, message }; at most 500 characters. */
export function messageIn(body: string | undefined, path: Path): string | undefined {
  let parsed: unknown;
  try {
    parsed = body === undefined ? undefined : JSON.parse(body);
  } catch {
    return undefined;
  }
  const value = read(parsed, path);
  const describe = (item: unknown): string | undefined => {
    if (typeof item === 'string') return item;
    if (typeof item !== 'object' || item === null) return undefined;
    const { field, message } = item as { field?: unknown; message?: unknown };
    if (typeof message !== 'string') return undefined;
    return typeof field === 'string' ? `${field}: ${message}` : message;
  };
  const text = Array.isArray(value) ? value.map(describe).filter(Boolean).join('; ') : describe(value);
  return text ? text.slice(0, 500) : undefined;
}
