/**
 * GET /metrics and GET /status on the gateway's own port, served by Yoga's
 * request hook so that both transports (the node listener and `gateway.fetch`)
 * answer them. The status page is open in development; in production it
 * needs the configured bearer token, and without one it does not exist.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { Secret } from '../config/secret.ts';
import type { Observability } from '../observability/observability.ts';
import { STATUS_PAGE_HEADERS } from '../observability/status-page.ts';

export function useObservabilityEndpoints(observability: Observability, token: Secret | undefined): Plugin {
  const { metrics, status } = observability.publicPaths;
  const tokenDigest = token && digest(`Bearer ${token.reveal()}`);
  return {
    async onRequest({ request, url, endResponse }) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return;
      if (url.pathname === metrics && observability.metrics) {
        const text = observability.metrics();
        endResponse(
          await text.then(
            (body) =>
              new Response(body, {
                headers: { 'content-type': observability.contentType, 'cache-control': 'no-store' },
              }),
            unavailable,
          ),
        );
        return;
      }
      if (url.pathname !== status) return;
      if (tokenDigest && !timingSafeEqual(digest(request.headers.get('authorization') ?? ''), tokenDigest)) {
        endResponse(
          new Response('The status page needs Authorization: Bearer <token>.', {
            status: 401,
            headers: { 'www-authenticate': 'Bearer' },
          }),
        );
        return;
      }
      endResponse(
        await observability
          .statusPage()
          .then((page) => new Response(page, { headers: STATUS_PAGE_HEADERS }), unavailable),
      );
    },
  };
}

/** Figures that could not be gathered (the other workers', under `--workers`): 503, saying why, never a stale or partial page. */
function unavailable(error: unknown): Response {
  return new Response(`Not available now: ${(error as Error).message}.`, {
    status: 503,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'retry-after': '1' },
  });
}

/** Equal-length digests: the comparison takes the same time whatever was sent, and cannot throw on length. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
