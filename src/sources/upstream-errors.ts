/**
 * Maps what can go wrong on an upstream call to the error catalog: an HTTP
 * status that is not a success, or a transport failure before or during the
 * response. Messages name the source and never the URL, body or headers.
 */
import { type ErrorCode, GraftError } from '../errors.ts';
import type { TraceContext } from '../telemetry/trace.ts';

/** Which call failed: named in the error's extensions. */
export interface CallOrigin {
  source: string;
  requestId?: string;
  /** The call's span, parent of each exchange's (observability/tracing.ts). */
  trace?: TraceContext;
  /** Exchanges sent for the call so far (retries, renewals and backups included). */
  sent?: number;
}

/** `upstreamSaid`: the start of the upstream's error body, secrets scrubbed; kept as the cause for logs only. */
export function errorForStatus(
  { source, requestId }: CallOrigin,
  status: number,
  upstreamSaid?: string,
  {
    callerCredential = false,
    retryAfterMs,
    upstreamBody,
  }: {
    /** The source is configured to forward the caller's Authorization. */ callerCredential?: boolean;
    retryAfterMs?: number;
    upstreamBody?: string;
  } = {},
): GraftError {
  const details = { source, status, requestId, cause: upstreamSaid, retryAfterMs, upstreamBody };
  const code = codeForStatus(status, callerCredential);
  const messages: Partial<Record<ErrorCode, string>> = {
    UNAUTHENTICATED: `${source} did not accept the caller's credential.`,
    FORBIDDEN: `${source} does not let the caller see this.`,
    NOT_FOUND: `${source} has no such resource.`,
    UPSTREAM_RATE_LIMITED: `${source} is rate limiting the gateway.`,
    UPSTREAM_UNAVAILABLE: `${source} is unavailable (HTTP ${status}).`,
    UPSTREAM_BAD_RESPONSE: `${source} answered with a redirect, which the gateway does not follow.`,
  };
  const retryable = code === 'UPSTREAM_RATE_LIMITED' || code === 'UPSTREAM_UNAVAILABLE';
  return new GraftError(code, messages[code] ?? `${source} answered HTTP ${status}.`, {
    ...details,
    ...(retryable && { retryable }),
  });
}

/** The catalog's code for an error status a source answered. */
export function codeForStatus(status: number, callerCredential: boolean): ErrorCode {
  // The source judges the caller's forwarded credential (or its absence): that is the caller's to fix.
  if (callerCredential && status === 401) return 'UNAUTHENTICATED';
  if (callerCredential && status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 429) return 'UPSTREAM_RATE_LIMITED';
  if (status === 502 || status === 503 || status === 504) return 'UPSTREAM_UNAVAILABLE';
  if (status >= 300 && status < 400) return 'UPSTREAM_BAD_RESPONSE';
  // 401/403 here mean the gateway's own credential was refused: an operator's problem, not the caller's.
  return 'UPSTREAM_ERROR';
}

export type CallPhase = 'connect' | 'body';

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * A transport failure. `phase` says whether the response headers had arrived:
 * a connection lost before them means the source is unavailable; after them,
 * that it sent a broken (truncated) response.
 */
export function errorForTransport(
  { source, requestId }: CallOrigin,
  error: unknown,
  phase: CallPhase,
  status?: number,
): GraftError {
  if (error instanceof GraftError) return error;
  const code = errorCode(error);
  const details = { source, status, requestId, cause: error };
  if (code === 'UND_ERR_RES_EXCEEDED_MAX_SIZE') {
    return new GraftError(
      'UPSTREAM_RESPONSE_TOO_LARGE',
      `${source} sent a response larger than the configured limit.`,
      details,
    );
  }
  const tls = code === undefined ? undefined : tlsFailure(code);
  if (tls)
    return new GraftError('UPSTREAM_TLS_ERROR', `${source}: ${tls.message}`, {
      ...details,
      facts: { reason: tls.reason },
    });
  if ((code && TIMEOUT_CODES.has(code)) || isTimeoutAbort(error)) {
    return new GraftError('UPSTREAM_TIMEOUT', `${source} did not answer in time.`, { ...details, retryable: true });
  }
  if (phase === 'body')
    return new GraftError('UPSTREAM_BAD_RESPONSE', `${source} broke off its response.`, {
      ...details,
      retryable: true,
    });
  return new GraftError('UPSTREAM_UNAVAILABLE', `${source} could not be reached.`, { ...details, retryable: true });
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function isTimeoutAbort(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'TimeoutError' || (error.name === 'AbortError' && isTimeoutAbort(error.cause)))
  );
}

/** The code of the error a connection fails with when the source's `http2` is true and the server did not pick HTTP/2 (tls.ts). */
export const HTTP2_REFUSED = 'GRAFTQL_HTTP2_REFUSED';

/** The reasons a TLS handshake fails that a person can act on, by the code Node (OpenSSL) gives. */
const TLS_REASONS: Record<string, { reason: string; message: string }> = {};
const tlsReason = (reason: string, message: string, codes: readonly string[]) => {
  for (const each of codes) TLS_REASONS[each] = { reason, message };
};
tlsReason('unknown-ca', 'its certificate is not signed by a trusted CA (give the source its CA bundle: tls.ca).', [
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);
tlsReason('expired', 'its certificate has expired.', ['CERT_HAS_EXPIRED']);
tlsReason('not-yet-valid', 'its certificate is not valid yet.', ['CERT_NOT_YET_VALID']);
tlsReason(
  'hostname-mismatch',
  'its certificate is for another host name (fix the URL, or set tls.servername to the name it carries).',
  ['ERR_TLS_CERT_ALTNAME_INVALID'],
);
tlsReason(
  'client-certificate-refused',
  "it refused the gateway's client certificate, or wants one (tls.cert and tls.key).",
  [
    'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
    'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
    'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
    'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
    'ERR_SSL_TLSV1_ALERT_ACCESS_DENIED',
    'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
  ],
);

tlsReason(
  'no-http2',
  "it did not agree to HTTP/2 in the TLS handshake (ALPN), and the source's http2 is true (set it to 'auto' to fall back to HTTP/1.1).",
  [HTTP2_REFUSED],
);

/** A TLS failure's reason and message, or undefined for anything else. */
function tlsFailure(code: string): { reason: string; message: string } | undefined {
  const known = TLS_REASONS[code];
  if (known) return known;
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_'))
    return {
      reason: 'handshake-failed',
      message: "the TLS handshake failed (check tls.minVersion and the source's TLS settings).",
    };
  return undefined;
}
