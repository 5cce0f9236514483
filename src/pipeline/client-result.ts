/**
 * The one place where results become what a client sees, whichever transport the
 * request came in by:
 * - every error leaves with an `extensions.code` from the catalog and the
 *   request id; upstream errors add `source`, `status`, `retryable`; nothing
 *   else a parser, executor or Yoga put in `extensions` (such as
 *   `originalError`) and no stack trace is ever sent;
 * - anything unexpected is logged in full and shown only as "Unexpected
 *   error." with INTERNAL_SERVER_ERROR;
 * - a result refused as a whole (no `data`) carries each error's HTTP status
 *   from the catalog (`REFUSAL_STATUS`) in `extensions.http`, which Yoga's
 *   result processor reads and `statusOf` reads for the direct transport, and
 *   which `serialize` leaves out.
 *
 * Yoga's own `maskedErrors` is off in favour of this: it logs every masked
 * error at error level (each expected upstream 404 would be an alarm) and
 * cannot see the request id.
 */
import { type ExecutionResult, GraphQLError } from 'graphql';
import { ERROR_CODES, type ErrorCode, GraftError, REFUSAL_STATUS } from '../errors.ts';
import type { Logger } from '../telemetry/logger.ts';

export interface HttpHints {
  status: number;
  /** The status applies to `application/graphql-response+json` clients only; `application/json` ones get 200. */
  spec?: boolean;
  headers?: Record<string, string>;
}

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

export function toClientError(error: Error, requestId: string | undefined, logger: Logger): GraphQLError {
  const graphqlError = isGraphQLError(error) ? error : undefined;
  const located = {
    nodes: graphqlError?.nodes,
    source: graphqlError?.source,
    positions: graphqlError?.positions,
    path: graphqlError?.path,
  };
  const original = graphqlError ? graphqlError.originalError : error;
  if (original instanceof GraftError) {
    return new GraphQLError(original.message, {
      ...located,
      extensions: { ...original.toExtensions(), requestId, ...httpOf(original.code, original) },
    });
  }
  if (original && !isGraphQLError(original)) {
    logger.error({ err: original, requestId, path: graphqlError?.path }, 'unexpected error');
    return new GraphQLError('Unexpected error.', {
      ...located,
      extensions: { code: 'INTERNAL_SERVER_ERROR' satisfies ErrorCode, requestId },
    });
  }
  const { code: given, http } = (graphqlError?.extensions ?? {}) as { code?: unknown; http?: HttpHints };
  const code =
    typeof given === 'string' && KNOWN_CODES.has(given)
      ? (given as ErrorCode)
      : codeFor(error.message, graphqlError, http?.status);
  // Yoga's own refusals (405, 406, 413, 415) keep their status and headers; whether a status reaches `application/json` clients is the catalog's call.
  const catalog = REFUSAL_STATUS[code];
  return new GraphQLError(error.message, {
    ...located,
    extensions: { code, requestId, ...(http && { http: { ...http, spec: catalog?.spec ?? http.spec } }) },
  });
}

/** A whole request refused with one error. */
export function refusal(error: GraftError, requestId: string, logger: Logger): ExecutionResult {
  return refused({ errors: [error] as unknown as GraphQLError[] }, requestId, logger);
}

/**
 * Masks a result's errors; a result without data (refused or failed before
 * execution) also gets each error's HTTP status.
 */
export function refused(result: ExecutionResult, requestId: string, logger: Logger): ExecutionResult {
  if (!result.errors) return result;
  const errors = result.errors.map((error) => toClientError(error, requestId, logger));
  if ('data' in result && result.data !== undefined) return { ...result, errors };
  return { ...result, errors: errors.map(withRefusalStatus) };
}

function withRefusalStatus(error: GraphQLError): GraphQLError {
  const extensions = error.extensions as { code: ErrorCode; http?: HttpHints };
  if (extensions.http) return error;
  const http =
    REFUSAL_STATUS[extensions.code] ??
    (extensions.code === 'INTERNAL_SERVER_ERROR' ? { status: 500, spec: false } : { status: 400, spec: true });
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: { ...extensions, http },
  });
}

/** The HTTP status and headers of a result, as Yoga's result processor derives them. */
export function statusOf(
  result: ExecutionResult,
  graphqlResponseJson: boolean,
): { status: number; headers: Record<string, string> } {
  let status: number | undefined;
  const headers: Record<string, string> = {};
  for (const error of result.errors ?? []) {
    const http = (error.extensions as { http?: HttpHints } | undefined)?.http;
    if (!http) continue;
    Object.assign(headers, http.headers);
    if (http.spec && !graphqlResponseJson) continue;
    if (status === undefined || http.status > status) status = http.status;
  }
  return { status: status ?? 200, headers };
}

/** The response body: the result as JSON, without the internal `http` hints. */
export function serialize(result: ExecutionResult): string {
  // A payload of an incremental answer (@defer, @stream) carries its later parts and whether more follow.
  const { incremental, hasNext } = result as ExecutionResult & {
    incremental?: ReadonlyArray<{ errors?: readonly GraphQLError[] }>;
    hasNext?: boolean;
  };
  return JSON.stringify({
    ...(result.errors && { errors: result.errors.map(errorJson) }),
    ...('data' in result && { data: result.data }),
    ...(incremental && {
      incremental: incremental.map((part) => (part.errors ? { ...part, errors: part.errors.map(errorJson) } : part)),
    }),
    ...(hasNext !== undefined && { hasNext }),
    ...(result.extensions && { extensions: result.extensions }),
  });
}

/** An error as the client reads it: no HTTP hints. */
function errorJson(error: GraphQLError) {
  const { http: _http, ...extensions } = error.extensions as Record<string, unknown>;
  return {
    message: error.message,
    ...(error.locations && { locations: error.locations }),
    ...(error.path && { path: error.path }),
    extensions,
  };
}

function httpOf(code: ErrorCode, error: GraftError): { http?: HttpHints } {
  if (code !== 'REQUEST_RATE_LIMITED') return {};
  const seconds = error.facts?.retryAfterSeconds;
  return { http: { status: 429, headers: { 'retry-after': String(seconds ?? 1) } } };
}

/**
 * By name, not `instanceof`: graphql ships CommonJS and ESM builds, and an
 * error made by one is not an instance of the other's class.
 */
function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof Error && error.name === 'GraphQLError';
}

/** Errors that GraphQL or Yoga made without one of our codes: parsing, validation, variables, the HTTP request. */
function codeFor(message: string, error: GraphQLError | undefined, httpStatus: number | undefined): ErrorCode {
  if (httpStatus === 413) return 'PAYLOAD_TOO_LARGE';
  // The only request-level refusal with 403 is the CSRF check's.
  if (httpStatus === 403) return 'CSRF_ERROR';
  if (httpStatus !== undefined && httpStatus >= 500) return 'INTERNAL_SERVER_ERROR';
  if (message.startsWith('Syntax Error')) return 'GRAPHQL_PARSE_FAILED';
  if (message.startsWith('Variable "$')) return 'BAD_USER_INPUT';
  if (httpStatus !== undefined) return 'BAD_REQUEST';
  if (error?.path !== undefined) return 'INTERNAL_SERVER_ERROR';
  if (error?.locations !== undefined) return 'GRAPHQL_VALIDATION_FAILED';
  return 'BAD_REQUEST';
}
