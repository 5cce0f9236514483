/**
 * The REST client for one configured source: its own undici Agent (connect,
 * headers and body timeouts, a response size cap, a connection cap), its
 * auth, a whole-attempt deadline, no redirect following, JSON decoding, and
 * every failure mapped to a coded `GraftError`.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, request, type Dispatcher } from 'undici';
import type { SourceConfig } from '../config/config-schema.ts';
import { badUserInput } from '../errors.ts';
import { scrubSecrets, type Logger } from '../observability/logger.ts';
import { createSourceAuth, type OutgoingCredentials } from './auth/index.ts';
import { decodeJsonBody } from './decode-body.ts';
import { errorForStatus, errorForTransport, type CallOrigin, type CallPhase } from './upstream-errors.ts';
import { buildUrl, toSearchParams, type QueryParams, type UpstreamPath } from './url.ts';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface UpstreamRequest {
  /** @default 'GET' */
  method?: HttpMethod;
  /** Made with the `path` template tag, which encodes every value. */
  path: UpstreamPath;
  query?: QueryParams;
  headers?: Readonly<Record<string, string>>;
  /** A JSON body (sent as application/json). */
  json?: unknown;
  /** A form body (sent as application/x-www-form-urlencoded). */
  form?: QueryParams;
}

export interface CallOptions {
  /** The gateway request this call serves; tagged on errors and logs. */
  requestId?: string;
  /** Aborts the call, e.g. when the GraphQL request is abandoned. */
  signal?: AbortSignal;
}

export interface UpstreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Decoded JSON, or null for an empty answer. Unknown until a mapper narrows it. */
  body: unknown;
}

export interface SourceClient {
  readonly name: string;
  request(upstream: UpstreamRequest, options?: CallOptions): Promise<UpstreamResponse>;
  /** True when the source's base URL answers HTTP at all (any status). */
  probe(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** One round trip: a decoded success, or a non-2xx answer with the text of its body. */
type Attempt = { response: Dispatcher.ResponseData; decoded: unknown } | { response: Dispatcher.ResponseData; failure: string };

export function createSourceClient(name: string, config: SourceConfig, logger: Logger): SourceClient {
  const { timeouts } = config;
  const agent = new Agent({
    connect: { timeout: timeouts.connectMs },
    headersTimeout: timeouts.headersMs,
    bodyTimeout: timeouts.bodyMs,
    maxResponseSize: config.maxResponseBytes,
    connections: config.connections,
  });
  const auth = createSourceAuth(config.auth, { source: name, base: config.url, dispatcher: agent, timeoutMs: timeouts.attemptMs });
  const log = logger.child({ source: name });

  async function attempt(upstream: UpstreamRequest, outgoing: OutgoingCredentials, origin: CallOrigin, callerSignal?: AbortSignal): Promise<Attempt> {
    const method = upstream.method ?? 'GET';
    const url = buildUrl(config.url, upstream.path, { ...upstream.query, ...outgoing.query });
    const headers: Record<string, string> = { accept: 'application/json', ...outgoing.headers };
    let body: string | undefined;
    if (upstream.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(upstream.json);
    } else if (upstream.form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = toSearchParams(upstream.form).toString();
    }
    const deadline = AbortSignal.timeout(timeouts.attemptMs);
    const signal = callerSignal ? AbortSignal.any([deadline, callerSignal]) : deadline;
    let phase: CallPhase = 'connect';
    let response: Dispatcher.ResponseData | undefined;
    try {
      response = await request(url, { dispatcher: agent, method, headers, body, signal });
      phase = 'body';
      if (response.statusCode < 200 || response.statusCode >= 300) {
        const text = await response.body.text();
        return { response, failure: text };
      }
      const decoded = await decodeJsonBody(response, { origin, maxJsonDepth: config.maxJsonDepth });
      return { response, decoded };
    } catch (error) {
      response?.body.destroy();
      throw errorForTransport(origin, error, phase, response?.statusCode);
    }
  }

  return {
    name,

    async request(upstream, { requestId, signal } = {}) {
      const origin: CallOrigin = { source: name, requestId };
      const outgoing: OutgoingCredentials = { headers: checkedHeaders(upstream.headers), query: {} };
      const started = performance.now();
      const context = () => ({ requestId, method: upstream.method ?? 'GET', path: upstream.path, durationMs: Math.round(performance.now() - started) });
      try {
        await auth.apply(outgoing, signal);
        let result = await attempt(upstream, outgoing, origin, signal);
        if (result.response.statusCode === 401 && auth.renew && (await auth.renew(outgoing))) {
          result = await attempt(upstream, outgoing, origin, signal);
        }
        if ('failure' in result) throw errorForStatus(origin, result.response.statusCode, scrubSecrets(result.failure.slice(0, 512), auth.secrets));
        log.debug({ ...context(), status: result.response.statusCode }, 'upstream call');
        return { status: result.response.statusCode, headers: result.response.headers, body: result.decoded };
      } catch (error) {
        const mapped = errorForTransport(origin, error, 'connect');
        mapped.requestId ??= requestId;
        const upstreamSaid = typeof mapped.cause === 'string' ? mapped.cause : undefined;
        log.warn({ ...context(), code: mapped.code, status: mapped.status, upstreamSaid }, 'upstream call failed');
        throw mapped;
      }
    },

    async probe(timeoutMs) {
      try {
        const response = await request(`${config.url.origin}${config.url.prefix}/`, { dispatcher: agent, method: 'GET', signal: AbortSignal.timeout(timeoutMs) });
        await response.body.dump();
        return true;
      } catch {
        return false;
      }
    },

    close: () => agent.close(),
  };
}

/** Header values with CR, LF or NUL would make undici throw; refuse them as bad input first. */
function checkedHeaders(headers: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (/[\r\n\0]/.test(value)) throw badUserInput(`The value for header ${name} contains a line break or NUL.`);
    result[name.toLowerCase()] = value;
  }
  return result;
}
