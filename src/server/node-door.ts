/**
 * The `node:http` door. Every GraphQL request to the endpoint first passes
 * the client rate limit here, before any body is read or Yoga builds a
 * Request; a POST declaring a `Content-Length` over the body limit is
 * refused at once (413, and the connection is closed rather than read). The commonest request, a JSON
 * POST, is then served directly: read the body (bounded in bytes and
 * nesting), run the pipeline, write JSON. Yoga's fetch-API layer (a Request
 * and a Response object per call, a dozen plugin hooks) costs more than
 * executing a small query (see bench/). Everything else (GET, forms,
 * `application/graphql` bodies, multipart, GraphiQL, health, streams) goes
 * to the Yoga door, which runs the same pipeline.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExecutionResult } from 'graphql';
import { GraftError } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';
import { refusal, serialize, statusOf } from '../pipeline/client-result.ts';
import type { Pipeline } from '../pipeline/pipeline.ts';
import { MAX_VARIABLES_DEPTH } from '../pipeline/request-shape.ts';
import { exceedsJsonDepth } from '../sources/json-depth.ts';

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface NodeDoorOptions {
  pipeline: Pipeline;
  /** Requests this door let through `pipeline.admit` before handing them to Yoga, which must not count them again. */
  admitted: WeakSet<IncomingMessage>;
  endpoint: string;
  maxBodyBytes: number;
  requestIdOf(inbound: string | undefined): string;
  logger: Logger;
}

const GRAPHQL_RESPONSE = 'application/graphql-response+json';
const JSON_BODY = /^application\/(?:graphql\+)?json\s*(?:;|$)/i;

export function createNodeDoor({ pipeline, admitted, endpoint, maxBodyBytes, requestIdOf, logger }: NodeDoorOptions, next: NodeHandler): NodeHandler {
  return (req, res) => {
    const url = req.url ?? '';
    const accept = req.headers.accept ?? '';
    if (url !== endpoint && !url.startsWith(`${endpoint}?`)) return next(req, res);
    const isPost = req.method === 'POST';
    // GraphiQL's page is not a GraphQL request.
    if (!isPost && (req.method !== 'GET' || accept.includes('text/html'))) return next(req, res);
    const requestId = requestIdOf(single(req.headers['x-request-id']));
    const mediaType = negotiate(accept);
    const write = ({ result, body }: { result: ExecutionResult; body: string }, { close = false } = {}) => {
      const { status, headers } = statusOf(result, mediaType === GRAPHQL_RESPONSE);
      res.writeHead(status, {
        ...headers,
        'content-type': `${mediaType ?? 'application/json'}; charset=utf-8`,
        'content-length': Buffer.byteLength(body),
        'x-request-id': requestId,
        ...(close && { connection: 'close' }),
      });
      res.end(body);
    };
    const refuse = (error: GraftError, options?: { close?: boolean }) => {
      const result = refusal(error, requestId, logger);
      write({ result, body: serialize(result) }, options);
    };
    const aborted = new AbortController();
    const tooLarge = () => new GraftError('PAYLOAD_TOO_LARGE', `The request body is larger than ${maxBodyBytes} bytes.`, { facts: { limit: maxBodyBytes } });

    const transport = {
      method: isPost ? 'POST' : 'GET',
      requestId,
      header: (name: string) => single(req.headers[name]),
      clientAddress: req.socket.remoteAddress,
      signal: aborted.signal,
    };
    try {
      pipeline.admit(transport);
    } catch (error) {
      // Refused at the cheapest point for every door: before Yoga and before the body. The body is not read; the connection closes.
      return refuse(error as GraftError, { close: isPost });
    }
    admitted.add(req);
    if (!isPost) return next(req, res);
    const declared = Number(req.headers['content-length']);
    // Refused before a byte is read, and the connection closed: it would otherwise have to be drained.
    if (declared > maxBodyBytes) return refuse(tooLarge(), { close: true });
    const isJson = JSON_BODY.test(req.headers['content-type'] ?? '');
    if (!isJson || accept.includes('text/event-stream') || accept.includes('multipart/mixed')) return next(req, res);

    if (mediaType === undefined) return refuse(new GraftError('BAD_REQUEST', `The Accept header allows neither ${GRAPHQL_RESPONSE} nor application/json.`));

    // A client that goes away before its answer cancels the request's own upstream calls.
    res.once('close', () => {
      if (!res.writableFinished) aborted.abort();
    });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size > maxBodyBytes) return;
      size += chunk.length;
      if (size > maxBodyBytes) {
        req.pause();
        return refuse(tooLarge(), { close: true });
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > maxBodyBytes) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (exceedsJsonDepth(text, MAX_VARIABLES_DEPTH)) return refuse(new GraftError('BAD_REQUEST', `The request body is nested deeper than ${MAX_VARIABLES_DEPTH} levels.`));
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
    });
  };
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

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}
