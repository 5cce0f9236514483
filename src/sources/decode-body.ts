import type { Dispatcher } from 'undici';
import { exceedsJsonDepth } from '../core/json-depth.ts';
import { GraftError } from '../errors.ts';
import type { CallOrigin } from './upstream-errors.ts';

export interface DecodeLimits {
  origin: CallOrigin;
  maxJsonDepth: number;
}

/** `application/json` and any `+json` type, with any parameters. */
const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

/**
 * Reads a 2xx upstream body as JSON: refuses other content types, bounds the
 * nesting before parsing (the size bound is the agent's `maxResponseSize`).
 * A 204, a HEAD answer or an empty body decodes to null.
 */
export interface DecodedBody {
  value: unknown;
  /** Length of the body text, for cache size accounting. */
  bytes: number;
}

export async function decodeJsonBody(response: Dispatcher.ResponseData, limits: DecodeLimits): Promise<DecodedBody> {
  const { source, requestId } = limits.origin;
  const status = response.statusCode;
  const bad = (message: string) =>
    new GraftError('UPSTREAM_BAD_RESPONSE', `${source} sent ${message}.`, { source, status, requestId });

  if (status === 204) {
    await response.body.dump();
    return { value: null, bytes: 0 };
  }
  const contentType = headerValue(response.headers['content-type']);
  if (contentType !== undefined && !JSON_TYPE.test(contentType)) {
    await response.body.dump();
    throw bad(`a ${contentType.split(';')[0]} body where JSON was expected`);
  }
  const text = await response.body.text();
  if (text.length === 0) return { value: null, bytes: 0 };
  if (contentType === undefined) throw bad('a body without a content type');
  if (exceedsJsonDepth(text, limits.maxJsonDepth)) throw bad(`JSON nested deeper than ${limits.maxJsonDepth} levels`);
  try {
    return { value: JSON.parse(text), bytes: text.length };
  } catch {
    throw bad('a body that is not valid JSON');
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
