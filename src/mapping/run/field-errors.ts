/**
 * Upstream failures as a declared field reports them: the status mapping
 * its `@rest(errors:)` declares, and a record that does not fit its type as
 * the source's bad answer.
 */
import { read } from '../../core/dot-path.ts';
import { GraftError } from '../../errors.ts';
import type { Path, RestPlan } from '../plan.ts';
import { DriftError } from '../records.ts';

/** A declared error mapping for the upstream status, or the error as it was. */
export function mappedError(plan: Pick<RestPlan, 'source' | 'errors'>, error: unknown): unknown {
  if (!(error instanceof GraftError) || error.status === undefined) return error;
  const mapping = plan.errors.find((candidate) => candidate.status === error.status);
  if (!mapping) return error;
  const said = mapping.message ? messageIn(error.upstreamBody, mapping.message) : undefined;
  const message = said ?? `${plan.source} refused the request (HTTP ${error.status}).`;
  return new GraftError(mapping.code, message, {
    source: plan.source,
    status: error.status,
    requestId: error.requestId,
    cause: error,
  });
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

/** A record that does not fit its type (records.ts's DriftError) as the client sees it: the source's bad answer; anything else as it is. */
export function asUpstreamDrift(error: unknown, source: string, status?: number): unknown {
  if (!(error instanceof DriftError)) return error;
  return new GraftError('UPSTREAM_BAD_RESPONSE', `${source} sent a body of an unexpected shape (${error.where}).`, {
    source,
    status,
    cause: error,
  });
}
