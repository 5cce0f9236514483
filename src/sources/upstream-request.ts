/** A call to a source, as the mapping and hand-written resolvers make it: method, encoded path, query, headers and body. */
import type { HttpMethod } from '../core/upstream.ts';
import type { QueryParams, UpstreamPath } from '../core/upstream-path.ts';
import type { UploadedFile } from '../uploads/uploaded-file.ts';
import type { AnswerFormat } from './answer-formats.ts';

export interface UpstreamRequest {
  /** @default 'GET' */
  method?: HttpMethod;
  /** Made with the `path` template tag, which encodes every value. */
  path: UpstreamPath;
  query?: QueryParams;
  headers?: Readonly<Record<string, string>>;
  /** A JSON body (sent as application/json). */
  json?: unknown;
  /** A form body (sent as application/x-www-form-urlencoded). */
  form?: QueryParams;
  /** A multipart/form-data body: text fields and files, in order. */
  multipart?: ReadonlyArray<readonly [string, string | UploadedFile]>;
  /** One file as the whole body, with its content type. */
  file?: UploadedFile;
  /** The path's template (`/users/{id}`), for traces: never the values. */
  route?: string;
  /** How long the answer keeps when it carries no Cache-Control, instead of the source's `cache.ttlMs`. */
  cacheTtlMs?: number;
  /** What the answer is read as (answer-formats.ts); default JSON. */
  answer?: AnswerFormat;
}
