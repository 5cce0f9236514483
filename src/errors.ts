/**
 * The one catalog of error codes a client can see in `extensions.code`.
 * Each is documented, with how to fix it, in docs/errors.md; a test keeps the
 * two lists equal. Clients should match codes, never messages.
 */
/** What an upstream REST service that failed is answered with. */
const UPSTREAM_ERROR_CODES = [
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_UNAVAILABLE',
  'CIRCUIT_OPEN',
  'UPSTREAM_ERROR',
  'UPSTREAM_BAD_RESPONSE',
  'UPSTREAM_RESPONSE_TOO_LARGE',
  'UPSTREAM_RATE_LIMITED',
  'UPSTREAM_TLS_ERROR',
] as const;

export const ERROR_CODES = [
  // The request itself
  'BAD_REQUEST',
  'PAYLOAD_TOO_LARGE',
  'CSRF_ERROR',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'MAX_DEPTH_LIMIT',
  'MAX_ALIASES_LIMIT',
  'MAX_ROOT_FIELDS_LIMIT',
  'MAX_DIRECTIVES_LIMIT',
  'COST_ESTIMATED_TOO_EXPENSIVE',
  'UPSTREAM_CALL_BUDGET_EXCEEDED',
  'BAD_USER_INPUT',
  'INVALID_CURSOR',
  'PERSISTED_QUERY_NOT_FOUND',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'REQUEST_RATE_LIMITED',
  'REQUEST_TIMEOUT',
  'GATEWAY_TIMEOUT',
  'RESPONSE_TOO_LARGE',
  // Subscriptions
  'TOO_MANY_SUBSCRIPTIONS',
  'SUBSCRIBER_TOO_SLOW',
  // A webhook a source sent
  'WEBHOOK_HEADER_MISSING',
  'WEBHOOK_HEADER_MALFORMED',
  'WEBHOOK_SIGNATURE_INVALID',
  'WEBHOOK_TIMESTAMP_OUT_OF_RANGE',
  'WEBHOOK_REPLAYED',
  // An upstream REST service
  ...UPSTREAM_ERROR_CODES,
  // The gateway itself
  'INTERNAL_SERVER_ERROR',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** A fine request that a source, or its deadline, failed: what the request log reports at warn. */
export const SERVING_FAILURES: ReadonlySet<string> = new Set<ErrorCode>(['GATEWAY_TIMEOUT', ...UPSTREAM_ERROR_CODES]);

export interface GraftErrorDetails {
  /** The configured source the failure came from, when it came from one. */
  source?: string;
  /** The upstream HTTP status, when there was a response. */
  status?: number;
  /** Whether repeating the same request may succeed. */
  retryable?: boolean;
  /** The gateway request id, so a client report can be matched to the logs. */
  requestId?: string;
  /** The underlying failure; logged, never sent to the client. */
  cause?: unknown;
  /** How long the upstream asked to wait (Retry-After), for the retry logic; never sent. */
  retryAfterMs?: number;
  /** Extra facts a client can act on (a limit and what the request reached); sent in `extensions`. */
  facts?: Readonly<Record<string, number | string>>;
  /** The upstream's error answer, secrets scrubbed, for a field's declared error mapping; never sent as is. */
  upstreamBody?: string;
}

/**
 * An expected failure that travels to the client as a coded GraphQL error.
 * Its message must be safe to show: no upstream URL, body, header or secret.
 */
export class GraftError extends Error {
  readonly code: ErrorCode;
  readonly source: string | undefined;
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly facts: Readonly<Record<string, number | string>> | undefined;
  readonly upstreamBody: string | undefined;
  /** Settable once by the caller that knows the request, for errors made where it is not known (a shared token refresh). */
  requestId: string | undefined;

  constructor(code: ErrorCode, message: string, details: GraftErrorDetails = {}) {
    super(message, { cause: details.cause });
    this.name = 'GraftError';
    this.code = code;
    this.source = details.source;
    this.status = details.status;
    this.retryable = details.retryable ?? false;
    this.requestId = details.requestId;
    this.retryAfterMs = details.retryAfterMs;
    this.facts = details.facts;
    this.upstreamBody = details.upstreamBody;
  }

  /** What the client sees in `extensions`. */
  toExtensions(): Record<string, unknown> {
    const requestId = this.requestId && { requestId: this.requestId };
    if (this.source === undefined) return { code: this.code, ...this.facts, ...requestId };
    return {
      code: this.code,
      source: this.source,
      ...(this.status !== undefined && { status: this.status }),
      retryable: this.retryable,
      ...this.facts,
      ...requestId,
    };
  }
}

export function badUserInput(message: string): GraftError {
  return new GraftError('BAD_USER_INPUT', message);
}

/** A key a batch answer left out: the source answered (200), just not with this one. */
export function notFound(what: string, source?: string): GraftError {
  return new GraftError('NOT_FOUND', `${what} was not found.`, { source });
}

/**
 * The HTTP status of a response whose request was refused as a whole with
 * this code. `spec: true` marks refusals of a well-formed GraphQL request
 * (parse, validation, limits): the GraphQL-over-HTTP spec answers those 200
 * to `application/json` clients and with the status to
 * `application/graphql-response+json` ones. The others refuse the HTTP
 * request itself and always carry their status.
 */
export const REFUSAL_STATUS: Partial<Record<ErrorCode, { status: number; spec: boolean }>> = {
  BAD_REQUEST: { status: 400, spec: false },
  PAYLOAD_TOO_LARGE: { status: 413, spec: false },
  CSRF_ERROR: { status: 403, spec: false },
  UNAUTHENTICATED: { status: 401, spec: false },
  FORBIDDEN: { status: 403, spec: false },
  REQUEST_RATE_LIMITED: { status: 429, spec: false },
  REQUEST_TIMEOUT: { status: 408, spec: false },
  GRAPHQL_PARSE_FAILED: { status: 400, spec: true },
  GRAPHQL_VALIDATION_FAILED: { status: 400, spec: true },
  MAX_DEPTH_LIMIT: { status: 400, spec: true },
  MAX_ALIASES_LIMIT: { status: 400, spec: true },
  MAX_ROOT_FIELDS_LIMIT: { status: 400, spec: true },
  MAX_DIRECTIVES_LIMIT: { status: 400, spec: true },
  COST_ESTIMATED_TOO_EXPENSIVE: { status: 400, spec: true },
  UPSTREAM_CALL_BUDGET_EXCEEDED: { status: 400, spec: true },
  PERSISTED_QUERY_NOT_FOUND: { status: 400, spec: true },
  BAD_USER_INPUT: { status: 400, spec: true },
  INVALID_CURSOR: { status: 400, spec: true },
  TOO_MANY_SUBSCRIPTIONS: { status: 429, spec: false },
  WEBHOOK_HEADER_MISSING: { status: 400, spec: false },
  WEBHOOK_HEADER_MALFORMED: { status: 400, spec: false },
  WEBHOOK_SIGNATURE_INVALID: { status: 401, spec: false },
  WEBHOOK_TIMESTAMP_OUT_OF_RANGE: { status: 401, spec: false },
  WEBHOOK_REPLAYED: { status: 409, spec: false },
};
