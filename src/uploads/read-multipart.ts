/**
 * Reads a GraphQL multipart request (github.com/jaydenseric/graphql-multipart-request-spec):
 * an `operations` field (the usual JSON parameters, files as null), a `map`
 * field (which file goes to which variable), then the files. Parsed with
 * busboy as the bytes arrive; each file goes to a spool file on disk,
 * counted against the limits as it is written, so memory stays flat
 * whatever the size and every limit is decided before a source sees a byte
 * (graphql-upload spools to disk the same way, with fs-capacitor). The
 * spool is removed when the request is over.
 *
 * Refusals (each before any upstream call): more files than `maxFiles`, a
 * file over `maxFileBytes`, all files over `maxTotalBytes`
 * (PAYLOAD_TOO_LARGE); a content type outside `contentTypes`, a file the
 * map does not name, a malformed `operations` or `map` (BAD_USER_INPUT /
 * BAD_REQUEST). After a refusal the rest of the body is read and dropped,
 * so the connection stays usable.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import { exceedsJsonDepth } from '../core/json-depth.ts';
import { GraftError } from '../errors.ts';
import { UploadedFile } from './uploaded-file.ts';

export interface UploadLimits {
  maxFiles: number;
  maxFileBytes: number;
  maxTotalBytes: number;
  /** `type/subtype`, `type/*` or `*\/*`. */
  contentTypes: readonly string[];
}

export interface MultipartRequest {
  /** The GraphQL parameters, each mapped variable holding its UploadedFile. */
  params: Record<string, unknown>;
  /** Removes the spooled files. */
  cleanup(): Promise<void>;
}

export interface ReadOptions {
  contentType: string;
  body: Readable;
  limits: UploadLimits;
  /** The largest `operations` or `map` field. */
  maxFieldBytes: number;
  maxJsonDepth: number;
}

const MEDIA_TYPE = /^[\w.+-]+\/[\w.+-]+$/;
const MAP_PATH = /^variables(\.[\w$-]+)+$/;

export async function readMultipartRequest(options: ReadOptions): Promise<MultipartRequest> {
  const { body } = options;
  // The body may break off while the spool folder is made: its error is taken from the start, never left unhandled.
  const ignore = () => {};
  body.on('error', ignore);
  const spool = await mkdtemp(join(tmpdir(), 'graftql-upload-'));
  body.off('error', ignore);
  const cleanup = () => rm(spool, { recursive: true, force: true });
  try {
    const params = await parse(options, spool);
    return { params, cleanup };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Parses the body into the request's parameters, its files spooled under `spool`; rejects only once every spool file is closed. */
function parse(
  { contentType, body, limits, maxFieldBytes, maxJsonDepth }: ReadOptions,
  spool: string,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { 'content-type': contentType },
        // Two fields and maxFiles files bound the parts (busboy's own parts limit fires on reaching it, not passing it).
        limits: { fields: 2, fieldSize: maxFieldBytes, files: limits.maxFiles, fileSize: limits.maxFileBytes },
      });
    } catch {
      return reject(new GraftError('BAD_REQUEST', 'The multipart body has no boundary.'));
    }
    const read = new MultipartParts({ body, parser, spool, limits, maxFieldBytes, maxJsonDepth, reject });
    parser.on('field', (name, value, info) => read.field(name, value, info.valueTruncated));
    parser.on('file', (name, stream, info) => read.file(name, stream, info));
    parser.on('filesLimit', () =>
      read.fail(
        new GraftError('PAYLOAD_TOO_LARGE', `At most ${limits.maxFiles} files may be uploaded at once.`, {
          facts: { limit: limits.maxFiles },
        }),
      ),
    );
    parser.on('fieldsLimit', () =>
      read.fail(
        new GraftError('BAD_REQUEST', 'A GraphQL multipart request has two fields, operations and map, then files.'),
      ),
    );
    parser.on('error', () => read.abort(new GraftError('BAD_REQUEST', 'The multipart body is malformed.')));
    // Every refusal, thrown anywhere in the end step (a map path that points nowhere), rejects: none may escape as an unhandled rejection.
    parser.on('close', () => {
      if (!read.aborted) read.finish().then(resolve, reject);
    });
    const brokenOff = () =>
      read.abort(new GraftError('BAD_REQUEST', 'The request body ended before the multipart body did.'));
    body.on('error', brokenOff);
    // A client that goes away may leave the body closed without an error.
    body.on('close', () => {
      if (!body.readableEnded) brokenOff();
    });
    if (body.destroyed && !body.readableEnded) return brokenOff();
    body.pipe(parser);
  });
}

interface PartsOptions extends Pick<ReadOptions, 'body' | 'limits' | 'maxFieldBytes' | 'maxJsonDepth'> {
  parser: busboy.Busboy;
  spool: string;
  reject(error: unknown): void;
}

/** What one multipart body has given so far: its fields, its files (each spooled), the first failure. */
class MultipartParts {
  operations: Record<string, unknown> | undefined;
  map: Map<string, string[]> | undefined;
  readonly files = new Map<string, UploadedFile>();
  /** One per file: settles (never rejects) once its spool file is written and closed, or closed after a failure. */
  readonly writes: Promise<void>[] = [];
  total = 0;
  failure: GraftError | undefined;
  aborted = false;

  constructor(private readonly options: PartsOptions) {}

  fail(error: GraftError): void {
    this.failure ??= error;
  }

  /**
   * Ends the read early (the body broke off, the parser or a spool write
   * failed): the parser is destroyed, and with it the file being read,
   * whose spool write then closes its descriptor. The promise rejects only
   * once every spool file is closed, so the caller's removal frees the
   * disk instead of leaving handles on deleted files.
   */
  abort(error: GraftError): void {
    this.fail(error);
    if (this.aborted) return;
    this.aborted = true;
    const { body, parser, reject } = this.options;
    body.unpipe(parser);
    // Read no further: over node:http the body is a stream of the transport's, whose end leaves the rest of the request to be dropped after the answer (server/linger.ts).
    body.destroy();
    parser.destroy();
    void Promise.all(this.writes).then(() => reject(this.failure));
  }

  field(name: string, value: string, truncated: boolean): void {
    if (this.failure) return;
    const { maxFieldBytes, maxJsonDepth, limits } = this.options;
    if (truncated) {
      this.fail(
        new GraftError('PAYLOAD_TOO_LARGE', `The ${name} field is larger than ${maxFieldBytes} bytes.`, {
          facts: { limit: maxFieldBytes },
        }),
      );
      return;
    }
    try {
      if (name === 'operations') this.operations = readOperations(value, maxJsonDepth);
      else if (name === 'map') this.map = readMap(value, limits.maxFiles);
      else
        this.fail(
          new GraftError(
            'BAD_REQUEST',
            `A GraphQL multipart request has the fields operations and map, then files; not ${JSON.stringify(name.slice(0, 64))}.`,
          ),
        );
    } catch (error) {
      this.fail(error as GraftError);
    }
  }

  file(name: string, stream: Readable, info: { filename?: string; mimeType: string }): void {
    const { limits, spool } = this.options;
    if (this.failure) {
      stream.resume();
      return;
    }
    const type = info.mimeType.toLowerCase();
    const refusal = this.#refusal(name, type);
    if (refusal) {
      this.fail(refusal);
      stream.resume();
      return;
    }
    const path = join(spool, String(this.files.size));
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      this.total += chunk.length;
      if (this.total > limits.maxTotalBytes && !this.failure)
        this.fail(
          new GraftError('PAYLOAD_TOO_LARGE', `The files are larger than ${limits.maxTotalBytes} bytes together.`, {
            facts: { limit: limits.maxTotalBytes },
          }),
        );
    });
    stream.on('limit', () =>
      this.fail(
        new GraftError('PAYLOAD_TOO_LARGE', `A file is larger than ${limits.maxFileBytes} bytes.`, {
          facts: { limit: limits.maxFileBytes },
        }),
      ),
    );
    this.files.set(name, new UploadedFile(info.filename ?? 'upload', type, 0, path));
    this.writes.push(
      pipeline(stream, createWriteStream(path)).then(
        () => {
          this.files.set(name, new UploadedFile(info.filename ?? 'upload', type, size, path));
        },
        // The file stream was cut short (an abort already decided the answer), or the spool could not be written (no descriptor or disk left).
        () =>
          this.abort(new GraftError('INTERNAL_SERVER_ERROR', 'The upload could not be written to the spool folder.')),
      ),
    );
  }

  /** Why a file part is refused before a byte of it is spooled, or undefined. */
  #refusal(name: string, type: string): GraftError | undefined {
    const { limits } = this.options;
    if (!this.operations || !this.map)
      return new GraftError('BAD_REQUEST', 'The operations and map fields come before the files.');
    if (!this.map.has(name))
      return new GraftError('BAD_REQUEST', `The map names no file ${JSON.stringify(name.slice(0, 64))}.`);
    if (!MEDIA_TYPE.test(type) || !allowed(type, limits.contentTypes))
      return new GraftError(
        'BAD_USER_INPUT',
        `Files of type ${JSON.stringify(type.slice(0, 100))} are not accepted (accepted: ${limits.contentTypes.join(', ')}).`,
      );
    return undefined;
  }

  /** Once the parser is done and every file written: the operations with each file placed where the map says, or the first refusal. */
  async finish(): Promise<Record<string, unknown>> {
    await Promise.all(this.writes);
    if (this.failure) throw this.failure;
    const { operations, map } = this;
    if (!operations || !map)
      throw new GraftError('BAD_REQUEST', 'A GraphQL multipart request needs the fields operations and map.');
    for (const [name, paths] of map) {
      const file = this.files.get(name);
      if (!file)
        throw new GraftError(
          'BAD_REQUEST',
          `The map names a file ${JSON.stringify(name.slice(0, 64))} the request does not carry.`,
        );
      for (const path of paths) place(operations, path, file);
    }
    return operations;
  }
}

function readOperations(text: string, maxDepth: number): Record<string, unknown> {
  if (exceedsJsonDepth(text, maxDepth))
    throw new GraftError('BAD_REQUEST', `The operations field is nested deeper than ${maxDepth} levels.`);
  const value = parseJson(text, 'operations');
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new GraftError(
      'BAD_REQUEST',
      'The operations field is one GraphQL request as a JSON object (batches are not served).',
    );
  return value as Record<string, unknown>;
}

function readMap(text: string, maxFiles: number): Map<string, string[]> {
  const value = parseJson(text, 'map');
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new GraftError('BAD_REQUEST', 'The map field is a JSON object: file name → ["variables.…"].');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > maxFiles)
    throw new GraftError('PAYLOAD_TOO_LARGE', `At most ${maxFiles} files may be uploaded at once.`, {
      facts: { limit: maxFiles },
    });
  return new Map(
    entries.map(([name, paths]) => {
      if (
        !Array.isArray(paths) ||
        paths.length === 0 ||
        !paths.every((path) => typeof path === 'string' && MAP_PATH.test(path))
      )
        throw new GraftError(
          'BAD_REQUEST',
          `The map gives ${JSON.stringify(name.slice(0, 64))} a list of "variables.…" paths.`,
        );
      return [name, paths as string[]];
    }),
  );
}

function parseJson(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new GraftError('BAD_REQUEST', `The ${field} field is not valid JSON.`);
  }
}

/** Puts the file where the map says, in place of the null the client left there. */
function place(operations: Record<string, unknown>, path: string, file: UploadedFile): void {
  const parts = path.split('.');
  let holder: unknown = operations;
  for (const part of parts.slice(0, -1)) {
    holder =
      typeof holder === 'object' && holder !== null && Object.hasOwn(holder, part)
        ? (holder as Record<string, unknown>)[part]
        : undefined;
  }
  const last = parts.at(-1) as string;
  if (
    typeof holder !== 'object' ||
    holder === null ||
    !Object.hasOwn(holder, last) ||
    (holder as Record<string, unknown>)[last] !== null
  )
    throw new GraftError(
      'BAD_REQUEST',
      `The map points ${JSON.stringify(path.slice(0, 100))} at no null in the operations.`,
    );
  (holder as Record<string, unknown>)[last] = file;
}

function allowed(type: string, accepted: readonly string[]): boolean {
  return accepted.some(
    (pattern) =>
      pattern === '*/*' || pattern === type || (pattern.endsWith('/*') && type.startsWith(pattern.slice(0, -1))),
  );
}
