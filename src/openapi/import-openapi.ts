/**
 * `graftql import openapi`: from an OpenAPI 3.0 / 3.1 (or Swagger 2.0)
 * document to the SDL a person would write, with the mapping directives,
 * a `graftql.config.ts` stub for the source, and a report of what was
 * mapped, skipped and guessed.
 *
 * The document is read, its `$ref`s bundled (local and across files) and
 * validated (its problems reported, not fatal) by @readme/openapi-parser (the maintained fork of
 * swagger-parser: Swagger 2.0, OpenAPI 3.0 and 3.1, YAML or JSON, circular
 * references reported rather than followed).
 */
import { statSync } from 'node:fs';
import { bundle, validate } from '@readme/openapi-parser';
import type { OpenApiDocument } from './document.ts';
import { DocumentImport, type DocumentResult, type TakenNames } from './document-import.ts';
import { relate } from './relations.ts';
import { fromSwagger2 } from './swagger2.ts';

export interface ImportOptions {
  /** The source name in the config and in `@rest(source:)`. */
  source: string;
  /** Names the other documents of the same import use: a clash is qualified with the source's name (`WeatherError`). */
  taken?: TakenNames;
}

export type { OpenApiDocument } from './document.ts';
export type { TakenNames } from './document-import.ts';
export type { ImportReport } from './import-report.ts';

export type ImportResult = DocumentResult;

export class ImportError extends Error {
  override name = 'ImportError';
}

/** The largest document read: GitHub's REST description, among the largest published, is 13 MB; parsing one of hundreds would take minutes and gigabytes. */
const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;

/** A local file over MAX_DOCUMENT_BYTES is refused before a byte of it is parsed. */
function refuseHuge(file: string): void {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return; // A URL, or a file that is not there: the parser says so.
  }
  if (size > MAX_DOCUMENT_BYTES)
    throw new ImportError(
      `${file} is ${(size / 1024 / 1024).toFixed(0)} MB; the import reads documents up to ${MAX_DOCUMENT_BYTES / 1024 / 1024} MB (split it, or import the parts you need).`,
    );
}
/** A document read and bundled, with what its validation found (empty when it is valid). */
export interface LoadedDocument {
  api: OpenApiDocument;
  problems: string[];
}

/**
 * Reads, bundles and validates a document (a path, or an object already
 * parsed). One that cannot be read, or whose `$ref` points nowhere, throws
 * ImportError naming where. One that reads but does not validate is imported
 * as written, its problems reported: vendors publish documents that break the
 * specification in small ways (a schema name with a space, 3.1's
 * `type: "null"` in a 3.0 document), and refusing them would leave the user
 * to edit a document they do not own.
 */
export async function loadOpenApi(input: string | object): Promise<LoadedDocument> {
  if (typeof input === 'string') refuseHuge(input);
  // Validated first, on a copy of its own that is garbage before the bundle is made: the two are never held at once
  // (GitHub's 13 MB document: a copy is some 50 MB of heap). One that cannot be read is named by the bundler below.
  const verdict = await validate((typeof input === 'string' ? input : structuredClone(input)) as never).catch(
    (error: unknown) => ({ valid: false as const, unread: (error as Error).message }),
  );
  let api: OpenApiDocument;
  try {
    api = (await bundle(
      typeof input === 'string' ? input : structuredClone(input as never),
    )) as unknown as OpenApiDocument;
  } catch (error) {
    throw new ImportError(`The document cannot be read: ${(error as Error).message}`);
  }
  if (!api || typeof api !== 'object' || (!api.openapi && !api.swagger))
    throw new ImportError('The document is not OpenAPI: it has neither `openapi` nor `swagger` at its top.');
  const problems =
    'unread' in verdict
      ? [`the document could not be validated (${verdict.unread.split('\n')[0]}); imported as written`]
      : verdict.valid
        ? []
        : [
            `the document is not valid ${verdict.specification ?? 'OpenAPI'} (${plural(verdict.errors.length + verdict.additionalErrors, 'problem')}; imported as written): ${verdict.errors
              .slice(0, 3)
              .map((error) => error.message.split('\n')[0])
              .join('; ')}`,
          ];
  return { api: api.swagger ? fromSwagger2(api) : api, problems };
}

/** One document: its relations (links, `x-graftql-ref`, `xId` fields) resolved within it. */
export async function importOpenApi(input: string | object, options: ImportOptions): Promise<ImportResult> {
  const [result] = await importOpenApis([{ input, source: options.source }]);
  return result as ImportResult;
}

/**
 * Several documents as one graph: names kept unique across them, and
 * relations made across them (an OpenAPI link to another document's
 * operation, an `x-graftql-ref` or an `authorId` whose type another
 * document reads by id). Each result is its own document's file.
 */
export async function importOpenApis(
  inputs: ReadonlyArray<{ input: string | object; source: string }>,
): Promise<ImportResult[]> {
  const taken: TakenNames = { types: new Set(), query: new Set(), mutation: new Set() };
  const results: ImportResult[] = [];
  for (const { input, source } of inputs) {
    const { api, problems } = await loadOpenApi(input);
    const result = generate(api, { source, taken });
    result.report.guesses.unshift(...problems);
    results.push(result);
  }
  const added = relate(results.map((result) => result.graph));
  return results.map((result, i) => {
    const { sdl, report } = added[i] ?? { sdl: '', report: { relations: [], guesses: [] } };
    return {
      ...result,
      sdl: sdl ? `${result.sdl}\n${sdl}` : result.sdl,
      report: { ...result.report, relations: report.relations, guesses: [...result.report.guesses, ...report.guesses] },
    };
  });
}

/** The SDL, config stub and report for a loaded document (document-import.ts). */
export function generate(
  api: OpenApiDocument,
  { source, taken = { types: new Set(), query: new Set(), mutation: new Set() } }: ImportOptions,
): ImportResult {
  return new DocumentImport(api, source, taken).run();
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
