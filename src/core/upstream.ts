/**
 * What every layer says of an upstream exchange: its method and the answer
 * as the source client decoded it. The request itself, with its bodies, is
 * the source client's (sources/source-client.ts).
 */
import type { IncomingHttpHeaders } from 'node:http';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface UpstreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** Decoded JSON, or null for an empty answer. Unknown until a mapper narrows it. Shared with the cache: never mutate. */
  body: unknown;
}
