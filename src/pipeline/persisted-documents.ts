/**
 * Persisted (trusted) documents: an allow-list of the documents a
 * gateway's own clients send, asked for by id. Read at start-up from the
 * two formats client tooling emits:
 * - a JSON object of id → document text (graphql-codegen's client preset,
 *   Relay's persisted queries),
 * - an Apollo persisted query manifest (`format:
 *   "apollo-persisted-query-manifest"`, `operations: [{ id, body }]`).
 * Clients name one with `documentId` (GraphQL over HTTP) or
 * `extensions.persistedQuery.sha256Hash` (Apollo), over GET or POST. In
 * `only` mode nothing else runs, not even a document's full text unless it
 * is one of the listed texts.
 *
 * Hand-written rather than Yoga's persisted-operations plugin: that plugin
 * sits in Yoga's own request path, and every request here, whichever transport
 * it came in by, passes one pipeline (pipeline.ts).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type GraphQLError, type GraphQLSchema, parse, validate } from 'graphql';
import { ConfigError } from '../config/resolve-config.ts';
import { GraftError } from '../errors.ts';

export interface PersistedDocuments {
  /** Only listed documents run. */
  readonly only: boolean;
  byId(id: string): string | undefined;
  isListed(text: string): boolean;
  /** Every listed id and document, for the start-up check. */
  entries(): Iterable<[string, string]>;
}

export function loadPersistedDocuments(
  { file, only }: { file: string; only: boolean },
  cwd = process.cwd(),
): PersistedDocuments {
  const path = resolve(cwd, file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(
      `Invalid GraftQL configuration:\n  - persistedDocuments.file: cannot read ${path} as JSON (${(error as Error).message})`,
    );
  }
  const byId = new Map(entriesOf(parsed, path));
  const texts = new Set(byId.values());
  return { only, byId: (id) => byId.get(id), isListed: (text) => texts.has(text), entries: () => byId.entries() };
}

function entriesOf(parsed: unknown, path: string): Array<[string, string]> {
  const bad = (what: string) =>
    new ConfigError(`Invalid GraftQL configuration:\n  - persistedDocuments.file: ${path} ${what}`);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw bad('is neither an id → document object nor an Apollo persisted query manifest');
  const record = parsed as Record<string, unknown>;
  if (record.format === 'apollo-persisted-query-manifest') {
    if (!Array.isArray(record.operations)) throw bad('has no operations list');
    return record.operations.map((operation: unknown, index) => {
      const { id, body } = (operation ?? {}) as { id?: unknown; body?: unknown };
      if (typeof id !== 'string' || typeof body !== 'string') throw bad(`operation ${index} has no string id and body`);
      return [id, body];
    });
  }
  return Object.entries(record).map(([id, body]) => {
    if (typeof body !== 'string')
      throw bad(`maps ${JSON.stringify(id.slice(0, 80))} to something other than a document`);
    return [id, body];
  });
}

/** Refuses, at start-up, a list with a document that does not parse or does not fit the schema, naming it; returns the operation names the list holds. */
export function checkPersistedDocuments(persisted: PersistedDocuments, schema: GraphQLSchema): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  for (const [id, text] of persisted.entries()) {
    let errors: readonly GraphQLError[];
    try {
      const document = parse(text);
      errors = validate(schema, document);
      for (const definition of document.definitions)
        if (definition.kind === 'OperationDefinition' && definition.name) names.add(definition.name.value);
    } catch (error) {
      errors = [error as GraphQLError];
    }
    if (errors.length > 0)
      problems.push(`persistedDocuments: document ${JSON.stringify(id.slice(0, 80))}: ${errors[0]?.message}`);
  }
  if (problems.length > 0)
    throw new ConfigError(`Invalid GraftQL configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  return [...names];
}

/** What a request asks to run: a document's text, or the id of a persisted one. */
export interface DocumentRequest {
  query: string | undefined;
  documentId: string | undefined;
}

/** The text to run for a request, or PERSISTED_QUERY_NOT_FOUND. */
export function documentText(
  { query, documentId }: DocumentRequest,
  persisted: PersistedDocuments | undefined,
): string | undefined {
  if (documentId !== undefined) {
    const text = persisted?.byId(documentId);
    if (text !== undefined) return text;
    // An Apollo client that learns the id is unknown sends the text along with it.
    if (query === undefined || persisted?.only)
      throw notFound(`No persisted document has the id ${JSON.stringify(documentId.slice(0, 80))}.`);
  }
  if (query !== undefined && persisted?.only && !persisted.isListed(query)) {
    throw notFound('This gateway runs persisted documents only: send the id of a listed document.');
  }
  return query;
}

function notFound(message: string): GraftError {
  return new GraftError('PERSISTED_QUERY_NOT_FOUND', message);
}
