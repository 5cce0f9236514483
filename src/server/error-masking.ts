/**
 * The one place where errors become what a client sees. Every error leaves
 * with an `extensions.code` from the catalog; upstream errors add `source`,
 * `status` and `retryable`; all carry the request id. Anything unexpected is
 * logged in full and shown only as "Unexpected error." with
 * INTERNAL_SERVER_ERROR.
 *
 * Yoga's own `maskedErrors` is turned off in favour of this plugin: it logs
 * every masked error at error level, which would turn each expected upstream
 * 404 into an alarm, and it cannot see the request id.
 */
import { GraphQLError, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { GraftError, type ErrorCode } from '../errors.ts';
import type { Logger } from '../observability/logger.ts';

export interface ErrorMaskingOptions {
  logger: Logger;
  requestIdOf: (request: Request) => string | undefined;
}

export function useErrorMasking({ logger, requestIdOf }: ErrorMaskingOptions): Plugin {
  return {
    onResultProcess({ request, result, setResult }) {
      if (Symbol.asyncIterator in Object(result)) return;
      const requestId = requestIdOf(request);
      const mask = (single: ExecutionResult): ExecutionResult =>
        single.errors ? { ...single, errors: single.errors.map((error) => maskError(error, requestId, logger)) } : single;
      setResult(Array.isArray(result) ? result.map(mask) : mask(result as ExecutionResult));
    },
  };
}

export function maskError(error: GraphQLError, requestId: string | undefined, logger: Logger): GraphQLError {
  const located = { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path };
  const original = error.originalError;
  if (original instanceof GraftError) {
    return new GraphQLError(original.message, { ...located, extensions: { ...original.toExtensions(), requestId } });
  }
  if (original && !isGraphQLError(original)) {
    logger.error({ err: original, requestId, path: error.path }, 'unexpected error');
    return new GraphQLError('Unexpected error.', { ...located, extensions: { code: 'INTERNAL_SERVER_ERROR' satisfies ErrorCode, requestId } });
  }
  // Errors made by other GraphQL implementations (graphql-jit) may carry no extensions at all.
  const extensions = error.extensions ?? {};
  const code = typeof extensions.code === 'string' ? extensions.code : codeFor(error);
  return new GraphQLError(error.message, { ...located, extensions: { ...extensions, code, requestId } });
}

/**
 * By name, not `instanceof`: graphql ships CommonJS and ESM builds, and an
 * error made by one is not an instance of the other's class.
 */
function isGraphQLError(error: Error): boolean {
  return error.name === 'GraphQLError';
}

/** Errors that GraphQL or Yoga made without a code: parsing, validation, variables, the HTTP request. */
function codeFor(error: GraphQLError): ErrorCode {
  if (error.message.startsWith('Syntax Error')) return 'GRAPHQL_PARSE_FAILED';
  if (error.message.startsWith('Variable "$')) return 'BAD_USER_INPUT';
  const status = (error.extensions?.http as { status?: number } | undefined)?.status;
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  // The only request-level refusal with 403 is the CSRF check's.
  if (status === 403) return 'CSRF_ERROR';
  if (error.path !== undefined) return 'INTERNAL_SERVER_ERROR';
  if (error.locations !== undefined) return 'GRAPHQL_VALIDATION_FAILED';
  return 'BAD_REQUEST';
}
