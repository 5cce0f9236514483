/**
 * The outermost stage: reads (GET, HEAD) through the upstream cache (a
 * fresh stored answer, else one load shared by every concurrent caller with
 * the same key, each stopping at its own deadline); writes straight to the
 * exchange, then the cached reads they make stale are dropped.
 */
import { cacheKey, identityPartition, SHARED_PARTITION } from '../../cache/cache-key.ts';
import type { AbandonHook, Validators } from '../../cache/response-cache.ts';
import { badUserInput } from '../../errors.ts';
import type { TraceContext } from '../../telemetry/trace.ts';
import type { CallOptions, SourceAnswer } from '../call.ts';
import { detached, withinDeadline } from '../resilience/deadline.ts';
import type { CallOrigin } from '../upstream-errors.ts';
import type { UpstreamRequest } from '../upstream-request.ts';
import { exchange } from './exchange.ts';
import type { SourceRuntime } from './source-runtime.ts';

/** `onLoad`: told when this caller's read starts a load of its own (for its trace: a miss, not a join). */
export async function cachedCall(
  source: SourceRuntime,
  upstream: UpstreamRequest,
  options: CallOptions,
  trace?: TraceContext,
  onLoad?: () => void,
): Promise<SourceAnswer> {
  const { name, cache, config } = source;
  const { requestId, deadline, forwarded = {} } = options;
  const origin: CallOrigin = { source: name, requestId, trace };
  const method = upstream.method ?? 'GET';
  const headers = { ...checkedHeaders(upstream.headers), ...forwarded };
  const { authorization, ...vary } = forwarded;
  const partition = source.forwardsIdentity ? identityPartition(authorization) : SHARED_PARTITION;

  if (method === 'GET' || method === 'HEAD') {
    const key = cacheKey({
      source: name,
      method,
      path: upstream.path,
      query: upstream.query,
      partition,
      // Read as another format, the same URL is another answer.
      vary: { ...vary, ...upstream.headers, ...(upstream.answer && { 'graftql-answer': upstream.answer }) },
    });
    const stored = cache.fresh(key, name);
    if (stored) return { ...stored, read: { key, source: name, response: stored } };
    const cachePolicy = {
      store: config.cache.enabled,
      ttlMs: upstream.cacheTtlMs ?? config.cache.ttlMs,
      staleIfErrorMs: config.cache.staleIfErrorMs,
    };
    const lookup = {
      key,
      source: name,
      path: upstream.path,
      shared: partition === SHARED_PARTITION,
      policy: cachePolicy,
      alone: !config.cache.coalesce,
      // Used only by a caller that starts a load.
      ...(deadline && { onLeave: (listener: () => void) => deadline.onCallerLeaves(listener) }),
    };
    // The load is shared by every concurrent caller with this key (unless `cache.coalesce` is off); each caller stops
    // waiting at its own deadline; its starter going away before anyone joined abandons it.
    const load = (validators: Validators | undefined, onAbandoned: AbandonHook) => {
      onLoad?.();
      const own = detached(deadline, onAbandoned);
      return exchange(
        source,
        upstream,
        { ...headers, ...validators },
        origin,
        { ...options, deadline: own },
        partition,
      ).finally(() => own?.release());
    };
    const shared = cache.fetch(lookup, load);
    const result = await withinDeadline(shared, deadline, name);
    return {
      ...result.response,
      ...(result.hit && { read: { key, source: name, response: result.response } }),
      ...(result.stale && { stale: result.stale }),
    };
  }

  const { size: _size, ...written } = await exchange(source, upstream, headers, origin, options, partition);
  const own = upstream.path.split('?')[0] ?? upstream.path;
  const collection = own.slice(0, own.lastIndexOf('/')) || '/';
  // Answered only once the other replicas have been told: a read anywhere after this answer finds the entries gone.
  await cache.invalidate(name, [own, collection]);
  return written;
}

/** Header values with CR, LF or NUL would make undici throw; refuse them as bad input first. */
function checkedHeaders(headers: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (/[\r\n\0]/.test(value)) throw badUserInput(`The value for header ${name} contains a line break or NUL.`);
    result[name.toLowerCase()] = value;
  }
  return result;
}
