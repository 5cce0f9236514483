/**
 * The GraphQL-over-HTTP request parameters, checked the same way whichever
 * transport decoded them: `query`, `operationName`, `variables`, `extensions`,
 * and a persisted document's id (`documentId`, or Apollo's
 * `extensions.persistedQuery.sha256Hash`).
 */
import { GraftError } from '../errors.ts';
import type { DocumentRequest } from './persisted-documents.ts';

export interface GraphQLRequest extends DocumentRequest {
  operationName: string | undefined;
  variables: Readonly<Record<string, unknown>> | undefined;
}

/** Variables nested deeper than this are refused before anything walks them. */
export const MAX_VARIABLES_DEPTH = 64;

export function readRequest(params: unknown): GraphQLRequest {
  if (!isObject(params)) throw badRequest('The request must be one JSON object with a query.');
  const { query, variables, operationName, extensions, documentId } = params;
  if (!isAbsent(query) && typeof query !== 'string') throw badRequest('query must be a string.');
  if (!isAbsent(variables) && !isObject(variables)) throw badRequest('variables must be an object.');
  if (!isAbsent(operationName) && typeof operationName !== 'string')
    throw badRequest('operationName must be a string.');
  if (!isAbsent(extensions) && !isObject(extensions)) throw badRequest('extensions must be an object.');
  if (!isAbsent(documentId) && typeof documentId !== 'string') throw badRequest('documentId must be a string.');
  if (isObject(variables) && deeperThan(variables, MAX_VARIABLES_DEPTH))
    throw badRequest(`variables are nested deeper than ${MAX_VARIABLES_DEPTH} levels.`);
  const persistedQuery =
    isObject(extensions) && isObject(extensions.persistedQuery) ? extensions.persistedQuery.sha256Hash : undefined;
  return {
    query: typeof query === 'string' && query !== '' ? query : undefined,
    operationName: typeof operationName === 'string' && operationName !== '' ? operationName : undefined,
    variables: isObject(variables) ? variables : undefined,
    documentId:
      typeof documentId === 'string' ? documentId : typeof persistedQuery === 'string' ? persistedQuery : undefined,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null;
}

/** Stops as soon as the limit is passed: the walk is as deep as the limit at most. */
function deeperThan(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (limit === 0) return true;
  for (const child of Object.values(value)) if (deeperThan(child, limit - 1)) return true;
  return false;
}

function badRequest(message: string): GraftError {
  return new GraftError('BAD_REQUEST', message);
}
