/**
 * GET /metrics and GET /status, served by Yoga's request hook so that both
 * doors (the node listener and `gateway.fetch`) answer them. The status page
 * is open in development; in production it needs the configured bearer
 * token, and without one it does not exist.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { Secret } from '../config/secret.ts';
import { STATUS_PAGE_HEADERS } from '../observability/status-page.ts';

export interface ObservabilityEndpoints {
  /** Absent when metrics are off or served on their own port. */
  metrics?: { path: string; text(): Promise<string>; contentType: string };
  status?: { path: string; token?: Secret; production: boolean; render(): string };
}

export function useObservabilityEndpoints({ metrics, status }: ObservabilityEndpoints): Plugin {
  const tokenDigest = status?.token && digest(`Bearer ${status.token.reveal()}`);
  return {
    async onRequest({ request, url, endResponse }) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return;
      if (metrics && url.pathname === metrics.path) {
        endResponse(new Response(await metrics.text(), { headers: { 'content-type': metrics.contentType, 'cache-control': 'no-store' } }));
        return;
      }
      if (!status || url.pathname !== status.path) return;
      if (status.production && !tokenDigest) return; // no such page: Yoga answers 404
      if (tokenDigest && !timingSafeEqual(digest(request.headers.get('authorization') ?? ''), tokenDigest)) {
        endResponse(new Response('The status page needs Authorization: Bearer <token>.', { status: 401, headers: { 'www-authenticate': 'Bearer' } }));
        return;
      }
      endResponse(new Response(status.render(), { headers: STATUS_PAGE_HEADERS }));
    },
  };
}

/** Equal-length digests: the comparison takes the same time whatever was sent, and cannot throw on length. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
