/**
 * The hot path for the commonest request, `POST /graphql` with a JSON body
 * holding one operation, served straight on node:http: read the body (up to
 * a limit), take the parsed and validated document from a bounded cache,
 * execute, mask errors, write JSON. Yoga's fetch-API layer (a Request and a
 * Response object per call, a dozen plugin hooks) costs more than executing
 * a small query (see bench/); everything else — GET, GraphiQL, health,
 * subscriptions, uploads — goes to Yoga, which `next` calls.
 *
 * It answers as Yoga does under the GraphQL-over-HTTP spec: with
 * `Accept: application/graphql-response+json`, 400 for a request that could
 * not execute and 200 otherwise; with plain JSON, 200.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { execute, GraphQLError, parse, validate, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';
import type { Logger } from '../observability/logger.ts';
import type { StaleNotice } from '../sources/request-sources.ts';
import { maskError } from './error-masking.ts';

export interface FastPathOptions {
  schema: GraphQLSchema;
  endpoint: string;
  /** The context for one request, as Yoga's context factory makes it. */
  contextFor(request: { requestId: string; header: (name: string) => string | undefined; signal: AbortSignal }): { staleNotices: StaleNotice[] };
  requestIdOf(inbound: string | undefined): string;
  logger: Logger;
  /** @default 1_048_576 // bytes */
  maxBodyBytes?: number;
  /** Execute with graphql-jit (compiled once per document) instead of graphql-js. @default true */
  jit?: boolean;
}

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

interface Prepared {
  document?: DocumentNode;
  errors?: readonly GraphQLError[];
  /** Times this document was asked for. */
  uses: number;
}

/**
 * graphql-jit compiles a document to a function, which costs CPU once and
 * code-space memory for as long as it is kept: compile only documents that
 * come back often, and keep a bounded number of them (clients that inline
 * ever-changing literals instead of variables would otherwise compile and
 * keep one function per request).
 */
const COMPILE_AFTER_USES = 10;
const MAX_COMPILED = 100;

const GRAPHQL_RESPONSE = 'application/graphql-response+json';

export function createFastPath({ schema, endpoint, contextFor, requestIdOf, logger, maxBodyBytes = 1_048_576, jit = true }: FastPathOptions, next: NodeHandler): NodeHandler {
  // Parsing and validating cost more than executing a small query; the same few documents come again and again.
  const documents = new LRUCache<string, Prepared>({ max: 1_000, maxSize: 10 * 1024 * 1024, sizeCalculation: (_value, query) => query.length });
  const compiledQueries = new LRUCache<string, CompiledQuery | false>({ max: MAX_COMPILED });
  const prepare = (query: string): Prepared => {
    let prepared = documents.get(query);
    if (!prepared) {
      try {
        const document = parse(query, { maxTokens: 5_000 });
        const errors = validate(schema, document);
        prepared = errors.length > 0 ? { errors, uses: 0 } : { document, uses: 0 };
      } catch (error) {
        prepared = { errors: [error instanceof GraphQLError ? error : new GraphQLError(String(error))], uses: 0 };
      }
      documents.set(query, prepared);
    }
    prepared.uses += 1;
    return prepared;
  };
  const compiledFor = (query: string, prepared: Prepared): CompiledQuery | undefined => {
    if (!jit || !prepared.document || prepared.uses < COMPILE_AFTER_USES) return undefined;
    let compiled = compiledQueries.get(query);
    if (compiled === undefined) {
      const result = compileQuery(schema, prepared.document, undefined, { disableLeafSerialization: false });
      compiled = isCompiledQuery(result) ? result : false;
      compiledQueries.set(query, compiled);
    }
    return compiled || undefined;
  };

  return (req, res) => {
    const url = req.url ?? '';
    const isJson = (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json');
    const accept = req.headers.accept ?? '';
    if (req.method !== 'POST' || (url !== endpoint && !url.startsWith(`${endpoint}?`)) || !isJson || accept.includes('text/event-stream') || accept.includes('multipart/mixed')) {
      return next(req, res);
    }
    const requestId = requestIdOf(typeof req.headers['x-request-id'] === 'string' ? req.headers['x-request-id'] : undefined);
    const spec = accept.includes(GRAPHQL_RESPONSE);
    /** `status` is what a spec client gets; plain-JSON clients get 200 for any request that was a GraphQL request. */
    const reply = (status: number, result: ExecutionResult, { malformed = false } = {}) => {
      const body = JSON.stringify({ ...(result.errors && { errors: result.errors.map((error) => maskError(error, requestId, logger)) }), ...('data' in result && { data: result.data }), ...(result.extensions && { extensions: result.extensions }) });
      res.writeHead(spec || malformed ? status : 200, { 'content-type': `${spec ? GRAPHQL_RESPONSE : 'application/json'}; charset=utf-8`, 'content-length': Buffer.byteLength(body), 'x-request-id': requestId });
      res.end(body);
    };
    const requestError = (message: string, code: string, status = 400) => reply(status, { errors: [new GraphQLError(message, { extensions: { code } })] }, { malformed: true });

    const chunks: Buffer[] = [];
    let size = 0;
    const aborted = new AbortController();
    // A client that goes away before its answer cancels the request's own upstream calls.
    res.once('close', () => {
      if (!res.writableFinished) aborted.abort();
    });
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        req.removeAllListeners('data');
        requestError(`The request body is larger than ${maxBodyBytes} bytes.`, 'PAYLOAD_TOO_LARGE', 413);
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > maxBodyBytes) return;
      let payload: unknown;
      try {
        payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return requestError('The request body is not valid JSON.', 'BAD_REQUEST');
      }
      const { query, variables, operationName } = (payload ?? {}) as { query?: unknown; variables?: unknown; operationName?: unknown };
      if (typeof query !== 'string' || query === '') return requestError('Must provide a query string.', 'BAD_REQUEST');
      if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) return requestError('Variables must be an object.', 'BAD_REQUEST');
      if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return requestError('operationName must be a string.', 'BAD_REQUEST');
      const prepared = prepare(query);
      if (!prepared.document) return reply(400, { errors: prepared.errors });

      const header = (name: string) => {
        const value = req.headers[name];
        return Array.isArray(value) ? value.join(', ') : value;
      };
      const contextValue = contextFor({ requestId, header, signal: aborted.signal });
      const compiled = operationName === undefined || operationName === null ? compiledFor(query, prepared) : undefined;
      const run = () =>
        compiled
          ? compiled.query(undefined, contextValue, (variables ?? {}) as Record<string, unknown>)
          : execute({ schema, document: prepared.document!, variableValues: variables as Record<string, unknown> | undefined, operationName: operationName as string | undefined, contextValue });
      Promise.resolve(run())
        .then((result) => {
          const notices = contextValue.staleNotices;
          reply(result.data === undefined ? 400 : 200, notices.length > 0 ? { ...result, extensions: { ...result.extensions, stale: notices } } : result);
        })
        .catch((error: unknown) => {
          logger.error({ err: error, requestId }, 'unexpected error');
          reply(500, { errors: [new GraphQLError('Unexpected error.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })] }, { malformed: true });
        });
    });
  };
}
