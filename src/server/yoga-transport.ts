/**
 * The Yoga transport: GraphQL over HTTP as Yoga decodes it (GET, form and
 * `application/graphql` bodies, multipart, `gateway.fetch` for fetch-API
 * servers), handed to the same pipeline as the direct transport. Yoga keeps what
 * is transport: decoding, CSRF prevention, the body limit while it reads,
 * media types and status codes; the pipeline decides everything about the
 * GraphQL request itself, and its results leave serialised as it made them.
 * What Yoga refuses on its own (unreadable bodies, CSRF, unsupported media
 * types) is masked to the catalog here, as the pipeline masks its own.
 */
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { type ExecutionResult, GraphQLError } from 'graphql';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import { GraftError } from '../errors.ts';
import type { Pipeline, PipelineAnswer, Transport } from '../pipeline/pipeline.ts';
import { MAX_VARIABLES_DEPTH } from '../pipeline/request-shape.ts';
import { readMultipartRequest, type UploadLimits } from '../uploads/read-multipart.ts';
import { tooLarge, withBoundedBody } from './request-body.ts';

export interface YogaTransportOptions {
  pipeline: Pipeline;
  /** Requests the node:http transport already admitted (node-transport.ts). */
  admitted: WeakSet<IncomingMessage>;
  endpoint: string;
  requestIdOf(request: Request): string;
  /** The body limit of a GraphQL request; a multipart one may add its files' (`uploads.maxTotalBytes`). */
  maxBodyBytes: number;
  uploads: UploadLimits;
}

/** Where a multipart request's params keep the removal of its spooled files. */
const CLEANUP = Symbol('graftql.uploadCleanup');

/** Passes Yoga's own parameter check, which runs after this plugin; the pipeline checks the real parameters. */
const CHECKED_ELSEWHERE = { query: '{ __typename }' };

export function usePipeline({
  pipeline,
  admitted,
  endpoint,
  requestIdOf,
  maxBodyBytes,
  uploads,
}: YogaTransportOptions): Plugin {
  const ours = new WeakSet<object>();
  return {
    onRequestParse({ request, url, requestParser, setRequestParser, serverContext }) {
      if (url.pathname !== endpoint) return;
      const req = (serverContext as { req?: IncomingMessage } | undefined)?.req;
      if (!req || !admitted.has(req)) pipeline.admit(transportOf(request, serverContext ?? {}, requestIdOf));
      if (requestParser) {
        const contentType = request.headers.get('content-type') ?? '';
        const multipart = request.method === 'POST' && /^multipart\/form-data\s*;/i.test(contentType);
        const limit = multipart ? maxBodyBytes + uploads.maxTotalBytes : maxBodyBytes;
        if (Number(request.headers.get('content-length')) > limit) throw tooLarge(limit);
        // Files are spooled as they arrive (uploads/read-multipart.ts), where Yoga's own multipart parser would hold them in memory.
        setRequestParser(
          multipart
            ? async (incoming) => {
                const read = await readMultipartRequest({
                  contentType,
                  body: Readable.fromWeb(withBoundedBody(incoming, req, limit).body as NodeReadableStream<Uint8Array>),
                  limits: uploads,
                  maxFieldBytes: maxBodyBytes,
                  maxJsonDepth: MAX_VARIABLES_DEPTH,
                });
                return Object.defineProperty(read.params, CLEANUP, { value: read.cleanup }) as GraphQLParams;
              }
            : (incoming) => requestParser(withBoundedBody(incoming, req, limit)),
        );
        return;
      }
      throw new GraphQLError(
        `Send GraphQL as application/json, application/graphql+json, application/graphql, a form, multipart, or a GET; not ${request.headers.get('content-type')?.slice(0, 100) ?? 'a body without a content type'}.`,
        {
          extensions: { code: 'BAD_REQUEST', http: { status: 415 } },
        },
      );
    },

    onParams({ params, request, setParams, setParamsHandler, context }) {
      // Yoga's GET decoder reads only query, variables, operationName and extensions.
      const documentId = request.method === 'GET' ? new URL(request.url).searchParams.get('documentId') : null;
      const raw = documentId === null ? params : { ...params, documentId };
      setParams(CHECKED_ELSEWHERE);
      setParamsHandler(async () => {
        const cleanup = (params as { [CLEANUP]?: () => Promise<void> })[CLEANUP];
        let answer: Awaited<ReturnType<Pipeline['run']>>;
        try {
          answer = await pipeline.run(raw, transportOf(request, context, requestIdOf));
        } finally {
          await cleanup?.();
        }
        if ('stream' in answer) return serialised(answer.stream);
        ours.add(answer.result);
        return withBody(answer);
      });
    },

    onResultProcess({ request, result, setResult, serverContext }) {
      if (Array.isArray(result) || Symbol.asyncIterator in Object(result) || ours.has(result as object)) return;
      const single = result as ExecutionResult;
      // Errors Yoga made while reading the request: a body it could not decode is the client's to fix.
      // Its message may quote the request's own bytes (a JSON parser's), so it is replaced.
      const readable = single.errors?.map((error) =>
        undecodable(error)
          ? new GraphQLError('The request could not be decoded.', {
              extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
            })
          : error,
      );
      setResult(
        pipeline.refuse(
          { ...single, ...(readable && { errors: readable }) },
          transportOf(request, serverContext ?? {}, requestIdOf),
        ).result,
      );
    },
  };
}

function undecodable({ originalError }: GraphQLError): boolean {
  return (
    originalError !== undefined &&
    originalError !== null &&
    !(originalError instanceof GraftError) &&
    originalError.name !== 'GraphQLError'
  );
}

/** Yoga serialises with a result's own `stringify`: the body the pipeline already bounded. */
function withBody({ result, body }: PipelineAnswer): ExecutionResult {
  return Object.assign(result, { stringify: () => body });
}

/** A subscription's answers as Yoga streams them (SSE, multipart); ending it ends the pipeline's stream at once. */
function serialised(stream: AsyncIterableIterator<PipelineAnswer>): AsyncIterableIterator<ExecutionResult> {
  const results: AsyncIterableIterator<ExecutionResult> = {
    next: async () => {
      const step = await stream.next();
      return step.done ? step : { done: false, value: withBody(step.value) };
    },
    return: async () => {
      await stream.return?.();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]: () => results,
  };
  return results;
}

function transportOf(request: Request, context: object, requestIdOf: (request: Request) => string): Transport {
  const accept = request.headers.get('accept') ?? '';
  const clientAddress = (context as { req?: IncomingMessage }).req?.socket?.remoteAddress;
  return {
    method: request.method,
    requestId: requestIdOf(request),
    header: (name) => request.headers.get(name) ?? undefined,
    query: request.url.split('?')[1],
    // Set when Yoga serves a node:http request; fetch-API servers do not say.
    clientAddress,
    streams: accept.includes('text/event-stream') || accept.includes('multipart/mixed'),
    // Over SSE each subscription is a request of its own: a client is known by its address.
    connection: clientAddress,
    get signal() {
      return request.signal;
    },
  };
}
