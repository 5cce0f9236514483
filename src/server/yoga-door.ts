/**
 * The Yoga door: GraphQL over HTTP as Yoga decodes it (GET, form and
 * `application/graphql` bodies, multipart, `gateway.fetch` for fetch-API
 * servers), handed to the same pipeline as the direct door. Yoga keeps what
 * is transport: decoding, CSRF prevention, the body limit while it reads,
 * media types and status codes; the pipeline decides everything about the
 * GraphQL request itself, and its results leave serialised as it made them.
 * What Yoga refuses on its own (unreadable bodies, CSRF, unsupported media
 * types) is masked to the catalog here, as the pipeline masks its own.
 */
import type { IncomingMessage } from 'node:http';
import { type ExecutionResult, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { GraftError } from '../errors.ts';
import type { Pipeline, PipelineAnswer, Transport } from '../pipeline/pipeline.ts';

export interface YogaDoorOptions {
  pipeline: Pipeline;
  /** Requests the node:http door already admitted (node-door.ts). */
  admitted: WeakSet<IncomingMessage>;
  endpoint: string;
  requestIdOf(request: Request): string;
}

/** Passes Yoga's own parameter check, which runs after this plugin; the pipeline checks the real parameters. */
const CHECKED_ELSEWHERE = { query: '{ __typename }' };

export function usePipeline({ pipeline, admitted, endpoint, requestIdOf }: YogaDoorOptions): Plugin {
  const ours = new WeakSet<object>();
  return {
    onRequestParse({ request, url, requestParser, serverContext }) {
      if (url.pathname !== endpoint) return;
      const req = (serverContext as { req?: IncomingMessage } | undefined)?.req;
      if (!req || !admitted.has(req)) pipeline.admit(transportOf(request, serverContext ?? {}, requestIdOf));
      if (requestParser) return;
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
        const answer = await pipeline.run(raw, transportOf(request, context, requestIdOf));
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
        undecodable(error) ? new GraphQLError('The request could not be decoded.', { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } }) : error,
      );
      setResult(pipeline.refuse({ ...single, ...(readable && { errors: readable }) }, transportOf(request, serverContext ?? {}, requestIdOf)).result);
    },
  };
}

function undecodable({ originalError }: GraphQLError): boolean {
  return originalError !== undefined && originalError !== null && !(originalError instanceof GraftError) && originalError.name !== 'GraphQLError';
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
