/**
 * One attempt at a source: its credentials applied (and renewed once after
 * a 401), the body encoded, one round trip through the source's undici
 * Agent within the attempt deadline, then the answer decoded or its status
 * mapped to a coded error. Admission, retries and hedging wrap it
 * (source-client.ts); each attempt is reported to the observer and traced.
 */
import { Readable } from 'node:stream';
import { type Dispatcher, request } from 'undici';
import type { LoadedResponse } from '../cache/response-cache.ts';
import type { SourceConfig } from '../config/config-schema.ts';
import { type Deadline, timedSignal } from '../core/deadline.ts';
import { scrubSecrets } from '../telemetry/logger.ts';
import type { AttemptOutcome, SourceObserver } from '../telemetry/observer.ts';
import type { Tracing } from '../telemetry/trace.ts';
import { multipartBody } from '../uploads/multipart-body.ts';
import { acceptHeader } from './answer-formats.ts';
import type { OutgoingCredentials, SourceAuth } from './auth/index.ts';
import { boundedText, type DecodedBody, decodeBody } from './decode-body.ts';
import { gatewayTimeout } from './resilience/deadline.ts';
import type { Pacer } from './resilience/pacer.ts';
import { retryAfterMs } from './resilience/retry-policy.ts';
import {
  type CallOrigin,
  type CallPhase,
  codeForStatus,
  errorForStatus,
  errorForTransport,
} from './upstream-errors.ts';
import type { UpstreamRequest } from './upstream-request.ts';
import { buildUrl, toSearchParams } from './url.ts';

/** What every attempt at one source shares: made once, with its client. */
export interface AttemptContext {
  name: string;
  config: SourceConfig;
  agent: Dispatcher;
  auth: SourceAuth;
  /** The TLS connector's account of a failed connection (tls.ts). */
  explain(error: unknown): unknown;
  pacer: Pacer;
  observer: SourceObserver;
  tracing: Tracing | undefined;
  /** The source's origin, as traces record it. */
  server: URL;
  /** The source gets the caller's credential: a 401 or 403 is the caller's. */
  forwardsIdentity: boolean;
}

type RoundTrip =
  | { response: Dispatcher.ResponseData; decoded: DecodedBody }
  | { response: Dispatcher.ResponseData; failure: string };

/** One round trip through the agent: a usable answer, an error status with its body text, or a mapped transport error. */
async function roundTrip(
  context: AttemptContext,
  upstream: UpstreamRequest,
  outgoing: OutgoingCredentials,
  origin: CallOrigin,
  deadline: Deadline | undefined,
  pacingKey: string,
  cancel?: AbortSignal,
): Promise<RoundTrip> {
  const { name, config, agent, pacer, observer, tracing, server, forwardsIdentity } = context;
  const { timeouts } = config;
  const method = upstream.method ?? 'GET';
  const url = buildUrl(config.url, upstream.path, { ...upstream.query, ...outgoing.query });
  const { headers: bodyHeaders, body } = encodeBody(upstream);
  const headers: Record<string, string> = {
    accept: acceptHeader(upstream.answer ?? 'JSON'),
    ...outgoing.headers,
    ...bodyHeaders,
  };
  const exchange = tracing?.exchange(origin.trace, {
    source: name,
    method,
    route: upstream.route,
    url: server,
    resend: origin.sent ?? 0,
  });
  origin.sent = (origin.sent ?? 0) + 1;
  if (exchange) Object.assign(headers, exchange.headers());
  // undici bounds a body by the agent's maxResponseSize over HTTP/1.1 only.
  const unboundedByAgent = config.http2 === false ? undefined : config.maxResponseBytes;
  const attemptDeadline = timedSignal(timeouts.attemptMs, deadline?.signal, cancel);
  const { signal } = attemptDeadline;
  let phase: CallPhase = 'connect';
  let response: Dispatcher.ResponseData | undefined;
  const started = performance.now();
  let headersMs: number | undefined;
  let outcome: AttemptOutcome = 'success';
  try {
    response = await request(url, { dispatcher: agent, method, headers, body, signal });
    headersMs = performance.now() - started;
    phase = 'body';
    if (config.rateLimit.fromHeaders)
      pacer.observe(
        pacingKey,
        response.headers,
        response.statusCode === 429 ? retryAfterMs(response.headers['retry-after']) : undefined,
      );
    const conditional = headers['if-none-match'] !== undefined || headers['if-modified-since'] !== undefined;
    if ((response.statusCode >= 200 && response.statusCode < 300) || (response.statusCode === 304 && conditional)) {
      if (response.statusCode === 304) {
        await response.body.dump();
        return { response, decoded: { value: null, bytes: 0 } };
      }
      return {
        response,
        decoded: await decodeBody(response, {
          origin,
          maxJsonDepth: config.maxJsonDepth,
          answer: upstream.answer,
          maxBytes: unboundedByAgent,
        }),
      };
    }
    outcome = codeForStatus(response.statusCode, forwardsIdentity);
    return { response, failure: await boundedText(response.body, unboundedByAgent) };
  } catch (error) {
    response?.body.destroy();
    const failure = errorForTransport(origin, context.explain(error), phase, response?.statusCode);
    outcome = (cancel?.aborted || deadline?.signal.aborted) && !attemptDeadline.timedOut() ? 'cancelled' : failure.code;
    if (deadline?.signal.aborted && !attemptDeadline.timedOut()) throw gatewayTimeout(name);
    throw failure;
  } finally {
    attemptDeadline.release();
    observer.attempt({
      source: name,
      method,
      status: response?.statusCode,
      outcome,
      headersMs,
      attemptMs: performance.now() - started,
    });
    exchange?.end({ status: response?.statusCode, ...(outcome !== 'success' && { error: outcome }) });
  }
}

/** One try: auth, one renewal after a 401 (or the auth's own statuses), status mapping. */
/** One call as every attempt at it makes it: the request, the headers before auth, who asked, its deadline and pacing partition. */
export interface AttemptCall {
  upstream: UpstreamRequest;
  baseHeaders: Record<string, string>;
  origin: CallOrigin;
  deadline: Deadline | undefined;
  pacingKey: string;
}

export async function attempt(
  context: AttemptContext,
  { upstream, baseHeaders, origin, deadline, pacingKey }: AttemptCall,
  cancel?: AbortSignal,
): Promise<LoadedResponse> {
  const { auth, forwardsIdentity } = context;
  const outgoing: OutgoingCredentials = { headers: { ...baseHeaders }, query: {} };
  await auth.apply(outgoing);
  let result = await roundTrip(context, upstream, outgoing, origin, deadline, pacingKey, cancel);
  const ended = auth.renewsOn ? auth.renewsOn.has(result.response.statusCode) : result.response.statusCode === 401;
  if (ended && auth.renew && (await auth.renew(outgoing)))
    result = await roundTrip(context, upstream, outgoing, origin, deadline, pacingKey, cancel);
  const { statusCode, headers } = result.response;
  if ('failure' in result) {
    const said = scrubSecrets(result.failure, auth.secrets);
    throw errorForStatus(origin, statusCode, said.slice(0, 512), {
      callerCredential: forwardsIdentity,
      retryAfterMs: retryAfterMs(headers['retry-after']),
      upstreamBody: said,
    });
  }
  return { status: statusCode, headers, body: result.decoded.value, size: result.decoded.bytes };
}

/** A request's body as the source is sent it, with the headers that say what it is: JSON, a form, multipart parts or one file. */
export function encodeBody(upstream: UpstreamRequest): {
  headers: Record<string, string>;
  body: string | Readable | undefined;
} {
  if (upstream.json !== undefined)
    return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(upstream.json) };
  if (upstream.form !== undefined)
    return {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: toSearchParams(upstream.form).toString(),
    };
  if (upstream.multipart !== undefined) {
    // Made afresh for each attempt: the files are read again from their spool.
    const multipart = multipartBody(upstream.multipart);
    return {
      headers: { 'content-type': multipart.contentType, 'content-length': String(multipart.length) },
      body: Readable.from(multipart.chunks(), { objectMode: false }),
    };
  }
  if (upstream.file !== undefined)
    return {
      headers: { 'content-type': upstream.file.contentType, 'content-length': String(upstream.file.size) },
      body: upstream.file.stream(),
    };
  return { headers: {}, body: undefined };
}
