/**
 * Cross-origin access (CORS), one rule for every transport: the direct JSON transport
 * adds these headers itself, Yoga's answers get them from `useCors` (Yoga's
 * own CORS is off: by default it reflects any Origin with credentials).
 *
 * - An origin listed in `server.cors.origins` is answered with itself, and
 *   with credentials when `credentials` is on.
 * - `'*'` lets any origin read answers, never with credentials.
 * - Anything else gets no CORS header: the browser keeps the answer from the
 *   page. Production lists no origin by default; development allows `'*'`.
 */
import type { Plugin } from 'graphql-yoga';
import type { ResolvedConfig } from '../config/config-schema.ts';

export type CorsSettings = ResolvedConfig['server']['cors'];

const ALLOWED_METHODS = 'GET, POST, OPTIONS';

/** The CORS headers of an answer to a request from `origin` (undefined: none, the origin may not read it). */
export function corsHeaders(
  { origins, credentials }: CorsSettings,
  origin: string | undefined,
): Record<string, string> | undefined {
  if (origin === undefined || origins.length === 0) return undefined;
  if (origins.includes(origin.toLowerCase()))
    return {
      'access-control-allow-origin': origin,
      vary: 'Origin',
      ...(credentials && { 'access-control-allow-credentials': 'true' }),
    };
  if (origins.includes('*')) return { 'access-control-allow-origin': '*' };
  return undefined;
}

/** A preflight's answer headers: the above, with the methods, the headers asked for, and how long to keep them. */
export function preflightHeaders(
  settings: CorsSettings,
  origin: string | undefined,
  requestedHeaders: string | undefined,
): Record<string, string> | undefined {
  const headers = corsHeaders(settings, origin);
  if (!headers) return undefined;
  return {
    ...headers,
    'access-control-allow-methods': ALLOWED_METHODS,
    ...(requestedHeaders && { 'access-control-allow-headers': requestedHeaders }),
    'access-control-max-age': String(settings.maxAgeSeconds),
  };
}

/** The rule above for Yoga's answers: preflights answered here, CORS headers added to every other answer. */
export function useCors(settings: CorsSettings): Plugin {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      if (request.method !== 'OPTIONS') return;
      const headers = preflightHeaders(
        settings,
        request.headers.get('origin') ?? undefined,
        request.headers.get('access-control-request-headers') ?? undefined,
      );
      endResponse(new fetchAPI.Response(null, { status: 204, headers: { 'content-length': '0', ...headers } }));
    },
    onResponse({ request, response }) {
      const headers = corsHeaders(settings, request.headers.get('origin') ?? undefined);
      if (headers) for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
    },
  };
}
