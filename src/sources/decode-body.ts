import { type Dispatcher, errors } from 'undici';
import { GraftError } from '../errors.ts';
import { type AnswerFormat, FORMATS, formatOf, readAnswer, UnreadableBody } from './answer-formats.ts';
import type { CallOrigin } from './upstream-errors.ts';

export interface DecodeLimits {
  origin: CallOrigin;
  maxJsonDepth: number;
  /** What the caller reads the answer as; default JSON. */
  answer?: AnswerFormat;
  /** The body's bound in bytes where the agent does not hold one (HTTP/2: `boundedText`). */
  maxBytes?: number;
}

/**
 * Reads a 2xx upstream body as the format the caller declared (JSON unless
 * it says otherwise; answer-formats.ts reads the others), refusing a content
 * type that is not that format and bounding the nesting before parsing (the
 * size bound is the agent's `maxResponseSize`, or `maxBytes`). A 204, a 205, a HEAD answer
 * or an empty body decodes to null.
 */
export interface DecodedBody {
  value: unknown;
  /** Length of the body text, for cache size accounting. */
  bytes: number;
}

export async function decodeBody(response: Dispatcher.ResponseData, limits: DecodeLimits): Promise<DecodedBody> {
  const { source, requestId } = limits.origin;
  const status = response.statusCode;
  const declared = limits.answer ?? 'JSON';
  const bad = (message: string) =>
    new GraftError('UPSTREAM_BAD_RESPONSE', `${source} sent ${message}.`, { source, status, requestId });

  if (status === 204 || status === 205) {
    await response.body.dump();
    return { value: null, bytes: 0 };
  }
  const contentType = headerValue(response.headers['content-type']);
  const format = contentType === undefined ? undefined : formatOf(declared, contentType);
  if (contentType !== undefined && !format) {
    await response.body.dump();
    const expected = declared === 'AUTO' ? 'a format GraftQL reads' : FORMATS[declared].label;
    throw bad(`a ${contentType.split(';')[0]} body where ${expected} was expected`);
  }
  const text = await boundedText(response.body, limits.maxBytes);
  if (text.length === 0) return { value: null, bytes: 0 };
  if (!format) throw bad('a body without a content type');
  try {
    return { value: await readAnswer(format, text, limits.maxJsonDepth), bytes: text.length };
  } catch (error) {
    if (error instanceof UnreadableBody) throw bad(error.message);
    throw error;
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * A body as text, refused past `maxBytes` with the error undici's own
 * `maxResponseSize` raises: undici holds that bound over HTTP/1.1 only, so
 * a source that may speak HTTP/2 has its bodies counted here.
 */
export async function boundedText(
  body: Dispatcher.ResponseData['body'],
  maxBytes: number | undefined,
): Promise<string> {
  if (maxBytes === undefined) return body.text();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    // Leaving the loop by a throw destroys the body.
    if (size > maxBytes) throw new errors.ResponseExceededMaxSizeError();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}
