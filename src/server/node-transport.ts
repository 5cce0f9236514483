/**
 * The `node:http` transport. Every GraphQL request to the endpoint first passes
 * the client rate limit here, before any body is read or Yoga builds a
 * Request; a POST declaring a `Content-Length` over the body limit is
 * refused at once (413). The commonest request, a JSON
 * POST, is then served directly: read the body (bounded in bytes and
 * nesting), run the pipeline, write JSON. Yoga's fetch-API layer (a Request
 * and a Response object per call, a dozen plugin hooks) costs more than
 * executing a small query (see bench/). Everything else (GET, forms,
 * `application/graphql` bodies, multipart, GraphiQL, health, streams) goes
 * to the Yoga transport, which runs the same pipeline. A POST answered before
 * its body was all read (a refusal, through either transport) lingers: the rest
 * of the body is read and dropped, within bounds, so that the client reads
 * its answer rather than a reset (linger.ts).
 *
 * Inside a framework: paths are matched against the whole URL (Express's
 * `originalUrl`), and a request for none of the gateway's paths goes to
 * `next` when there is one (Express, Connect), so `app.use(listener)` sits
 * beside the app's own routes. A body a framework already read is taken
 * from `req.body` (parsed JSON, a string or a Buffer); one read and not kept
 * is refused at once rather than waited for.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { exceedsJsonDepth } from '../core/json-depth.ts';
import { GraftError } from '../errors.ts';
import { statusOf } from '../pipeline/client-result.ts';
import type { Pipeline, PipelineAnswer, Transport } from '../pipeline/pipeline.ts';
import { MAX_VARIABLES_DEPTH } from '../pipeline/request-shape.ts';
import type { Logger } from '../telemetry/logger.ts';
import { type CorsSettings, corsHeaders } from './cors.ts';
import { type LingerBounds, lingerAfterAnswer } from './linger.ts';
import { tooLarge } from './request-body.ts';

/** A `node:http` listener, and a Connect / Express middleware: `next` gets what is not the gateway's. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

export interface GatewayPaths {
  graphql: string;
  /** The other paths the gateway answers (health, readiness, metrics, status): Yoga's. */
  others: readonly string[];
  /** Path prefixes the gateway answers under (webhooks): Yoga's. */
  prefixes?: readonly string[];
}

export interface NodeTransportOptions {
  pipeline: Pipeline;
  /** Requests this transport let through `pipeline.admit` before handing them to Yoga, which must not count them again. */
  admitted: WeakSet<IncomingMessage>;
  paths: GatewayPaths;
  maxBodyBytes: number;
  /** What a multipart request (files) may add to `maxBodyBytes`. */
  maxUploadBytes: number;
  requestIdOf(inbound: string | undefined): string;
  logger: Logger;
  /** How much of a refused body is read and dropped after the answer (`server.listener`). */
  linger: LingerBounds;
  /** Which web pages may read answers (`server.cors`). */
  cors: CorsSettings;
}

const GRAPHQL_RESPONSE = 'application/graphql-response+json';
const CONTENT_TYPES = {
  [GRAPHQL_RESPONSE]: `${GRAPHQL_RESPONSE}; charset=utf-8`,
  'application/json': 'application/json; charset=utf-8',
} as const;
const JSON_BODY = /^application\/(?:graphql\+)?json\s*(?:;|$)/i;
const MULTIPART_BODY = /^multipart\/form-data\s*;/i;

export function createNodeTransport(
  { pipeline, admitted, paths, maxBodyBytes, maxUploadBytes, requestIdOf, logger, linger, cors }: NodeTransportOptions,
  yoga: (req: IncomingMessage, res: ServerResponse) => unknown,
): NodeHandler {
  // A request admitted here is marked only when handed to Yoga, not every request: a WeakSet entry is an ephemeron, which garbage collections visit apart.
  const toYoga = (req: IncomingMessage, res: ServerResponse) => {
    admitted.add(req);
    return yoga(req, res);
  };
  return (req, res, next) => {
    const startedAt = performance.now();
    const path = pathOf(req);
    const accept = req.headers.accept ?? '';
    if (path !== paths.graphql)
      return next && !paths.others.includes(path) && !paths.prefixes?.some((prefix) => path.startsWith(prefix))
        ? next()
        : yoga(req, res);
    const isPost = req.method === 'POST';
    // GraphiQL's page is not a GraphQL request.
    if (!isPost && (req.method !== 'GET' || accept.includes('text/html'))) return yoga(req, res);
    const requestId = requestIdOf(single(req.headers['x-request-id']));
    const mediaType = negotiate(accept);
    const contentType = CONTENT_TYPES[mediaType ?? 'application/json'];
    // Browsers send an Origin; the rest of the clients (and the benchmarks) do not, and pay nothing for CORS.
    const crossOrigin = req.headers.origin === undefined ? undefined : corsHeaders(cors, req.headers.origin);
    const write = (answer: PipelineAnswer) => writeAnswer(res, answer, contentType, requestId, mediaType, crossOrigin);
    const transport = new NodeTransport(req, res, isPost ? 'POST' : 'GET', requestId, startedAt);
    const refuse = (error: GraftError) => write(pipeline.refuse(error, transport));
    /** Refused before its body was all read: the rest is dropped after the answer. */
    const refuseEarly = (error: GraftError) => {
      lingerAfterAnswer(req, res, linger);
      refuse(error);
    };

    try {
      pipeline.admit(transport);
    } catch (error) {
      // Refused at the cheapest point for every transport: before Yoga and before the body.
      return isPost ? refuseEarly(error as GraftError) : refuse(error as GraftError);
    }
    if (!isPost) return toYoga(req, res);
    const declared = Number(req.headers['content-length']);
    const limit = MULTIPART_BODY.test(req.headers['content-type'] ?? '') ? maxBodyBytes + maxUploadBytes : maxBodyBytes;
    // Refused before a byte is read.
    if (declared > limit) return refuseEarly(tooLarge(limit));
    const kept = (req as { body?: unknown }).body;
    if (kept === undefined && req.readableEnded) {
      logger.error(
        { requestId },
        'the request body was read before the gateway got the request, and not kept in req.body',
      );
      return refuse(
        new GraftError(
          'INTERNAL_SERVER_ERROR',
          'The server read the request body before GraphQL could: mount the gateway before body parsers, or let them keep the body in req.body.',
        ),
      );
    }
    const isJson = JSON_BODY.test(req.headers['content-type'] ?? '');
    if (!isJson || accept.includes('text/event-stream') || accept.includes('multipart/mixed')) {
      // Yoga may answer (a refused upload, a body over the limit) before it has read the whole body.
      lingerAfterAnswer(req, res, linger);
      return toYoga(req, res);
    }

    if (mediaType === undefined)
      return refuse(
        new GraftError('BAD_REQUEST', `The Accept header allows neither ${GRAPHQL_RESPONSE} nor application/json.`),
      );

    const runText = (text: string) => {
      if (exceedsJsonDepth(text, MAX_VARIABLES_DEPTH))
        return refuse(
          new GraftError('BAD_REQUEST', `The request body is nested deeper than ${MAX_VARIABLES_DEPTH} levels.`),
        );
      let params: unknown;
      try {
        params = JSON.parse(text);
      } catch {
        return refuse(new GraftError('BAD_REQUEST', 'The request body is not valid JSON.'));
      }
      pipeline.run(params, transport).then(write, (error: unknown) => {
        logger.error({ err: error, requestId }, 'unexpected error');
        refuse(new GraftError('INTERNAL_SERVER_ERROR', 'Unexpected error.'));
      });
    };
    if (kept !== undefined) {
      // A framework's body parser got there first: its text, or its parse (measured again, as text, against the same limits).
      const text =
        typeof kept === 'string' ? kept : Buffer.isBuffer(kept) ? kept.toString('utf8') : JSON.stringify(kept);
      return Buffer.byteLength(text) > maxBodyBytes ? refuse(tooLarge(maxBodyBytes)) : runText(text);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size > maxBodyBytes) return;
      size += chunk.length;
      if (size > maxBodyBytes) return refuseEarly(tooLarge(maxBodyBytes));
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (size <= maxBodyBytes) runText(Buffer.concat(chunks).toString('utf8'));
    });
  };
}

/** An answer as the direct JSON transport writes it: its status, headers and body, in one write. */
function writeAnswer(
  res: ServerResponse,
  { result, body }: PipelineAnswer,
  contentType: string,
  requestId: string,
  mediaType: string | undefined,
  crossOrigin: Record<string, string> | undefined,
): void {
  if (crossOrigin) for (const [name, value] of Object.entries(crossOrigin)) res.setHeader(name, value);
  // The body as bytes, once: node:http would otherwise copy the string into one with the headers before it, then into bytes.
  const bytes = Buffer.from(body);
  if (!result.errors) {
    // A flat list of headers: what node:http keeps internally, so nothing is copied from an object per request.
    res
      .writeHead(200, ['content-type', contentType, 'content-length', String(bytes.length), 'x-request-id', requestId])
      .end(bytes);
    return;
  }
  const { status, headers } = statusOf(result, mediaType === GRAPHQL_RESPONSE);
  res.writeHead(status, {
    ...headers,
    'content-type': contentType,
    'content-length': bytes.length,
    'x-request-id': requestId,
  });
  res.end(bytes);
}

/**
 * A request as the pipeline sees it. A class, so that its `signal` getter
 * sits on the prototype: an object literal with a getter gets a closure of
 * its own for it, and with that a hidden class of its own, per request.
 */
class NodeTransport implements Transport {
  readonly header: (name: string) => string | undefined;
  readonly clientAddress: string | undefined;
  // Made when first asked for: most requests' upstream calls never need it (they join calls in flight, or make none).
  #aborted: AbortController | undefined;
  readonly #res: ServerResponse;

  constructor(
    req: IncomingMessage,
    res: ServerResponse,
    readonly method: 'POST' | 'GET',
    readonly requestId: string,
    readonly startedAt: number,
  ) {
    this.header = (name) => single(req.headers[name]);
    this.clientAddress = req.socket.remoteAddress;
    this.#res = res;
  }

  /** Read only by the access step, when callers are identified. */
  get query(): string | undefined {
    return this.#res.req.url?.split('?')[1];
  }

  /** The client going away before its answer, told through the response's own event: no AbortSignal made. */
  onLeave(listener: () => void): () => void {
    const res = this.#res;
    if (res.destroyed && !res.writableFinished) {
      listener();
      return () => {};
    }
    const closed = () => {
      if (!res.writableFinished) listener();
    };
    res.once('close', closed);
    return () => res.off('close', closed);
  }

  /** Aborts when the client goes away before its answer: that cancels the request's own upstream calls. */
  get signal(): AbortSignal {
    if (!this.#aborted) {
      const controller = new AbortController();
      this.#aborted = controller;
      const res = this.#res;
      if (res.destroyed && !res.writableFinished) controller.abort();
      else
        res.once('close', () => {
          if (!res.writableFinished) controller.abort();
        });
    }
    return this.#aborted.signal;
  }
}

/**
 * The response media type, as Yoga chooses it: the first of the client's
 * types that is GraphQL's own or plain JSON; `*` / `*\/*` and no Accept at
 * all mean plain JSON.
 */
function negotiate(accept: string): typeof GRAPHQL_RESPONSE | 'application/json' | undefined {
  if (accept.trim() === '') return 'application/json';
  for (const part of accept.toLowerCase().replace(/\s/g, '').split(',')) {
    const [type, ...params] = part.split(';');
    if (params.some((param) => param.startsWith('charset=') && param !== 'charset=utf-8')) continue;
    if (type === GRAPHQL_RESPONSE) return GRAPHQL_RESPONSE;
    if (type === 'application/json' || type === 'application/*' || type === '*/*') return 'application/json';
  }
  return undefined;
}

/** The request's path, as the client sent it: Express and Connect keep the whole URL in originalUrl when mounted under a prefix. */
function pathOf(req: IncomingMessage): string {
  const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
