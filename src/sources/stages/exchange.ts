/**
 * A call as its caller sees it: the operation's call budget, admission
 * (pacing, breaker, the concurrency cap and queue), the attempt (hedged
 * when the call may be), retries of retryable failures within the source's
 * retry budget and the deadline, and one log line for how it ended.
 */
import type { LoadedResponse } from '../../cache/response-cache.ts';
import type { Deadline } from '../../core/deadline.ts';
import type { CallBudget } from '../../core/request-ledger.ts';
import { GraftError } from '../../errors.ts';
import type { AttemptCall } from '../attempt.ts';
import { remainingMs, sleep } from '../resilience/deadline.ts';
import { backoffMs, hasIdempotencyKey, isRetryableFailure, mayRetry } from '../resilience/retry-policy.ts';
import { type CallOrigin, errorForTransport } from '../upstream-errors.ts';
import type { UpstreamRequest } from '../upstream-request.ts';
import { admit } from './admission.ts';
import { hedgedAttempt, timedAttempt } from './hedged-attempt.ts';
import { countsAgainstSource, type SourceRuntime } from './source-runtime.ts';

export async function exchange(
  source: SourceRuntime,
  upstream: UpstreamRequest,
  baseHeaders: Record<string, string>,
  origin: CallOrigin,
  { deadline, budget }: { deadline?: Deadline; budget?: CallBudget },
  pacingKey: string,
): Promise<LoadedResponse> {
  const { name, config, log, observer, retryBudget } = source;
  const method = upstream.method ?? 'GET';
  // An upload goes once unless the call says the upstream deduplicates it (an Idempotency-Key).
  const uploads = upstream.multipart?.some(([, value]) => typeof value !== 'string') || upstream.file !== undefined;
  const retryable = uploads
    ? hasIdempotencyKey(upstream.headers)
    : mayRetry(method, config.retry.idempotentMethods, upstream.headers);
  const call: AttemptCall = { upstream, baseHeaders, origin, deadline, pacingKey };
  const started = performance.now();
  const context = () => ({
    requestId: origin.requestId,
    method,
    path: upstream.path,
    durationMs: Math.round(performance.now() - started),
  });
  try {
    budget?.spend(name);
    for (let tries = 1; ; tries++) {
      const report = await admit(source, pacingKey, deadline, config.connections + config.maxQueued);
      if (report === 'shed') {
        observer.shed(name);
        throw new GraftError(
          'UPSTREAM_UNAVAILABLE',
          `Too many calls to ${name} are waiting; the gateway sheds this one.`,
          { source: name, retryable: true },
        );
      }
      source.inFlight += 1;
      retryBudget.recordCall();
      try {
        const loaded =
          retryable && config.hedge.enabled ? await hedgedAttempt(source, call) : await timedAttempt(source, call);
        report?.('success');
        log.debug({ ...context(), status: loaded.status, tries }, 'upstream call');
        return loaded;
      } catch (error) {
        const failure = errorForTransport(origin, error, 'connect');
        report?.(countsAgainstSource(failure) ? 'failure' : 'neutral');
        if (!retryable || !isRetryableFailure(failure.code, failure.status) || tries >= config.retry.maxAttempts)
          throw failure;
        const wait = failure.retryAfterMs ?? backoffMs(tries, config.retry.baseDelayMs, config.retry.maxDelayMs);
        // A Retry-After that the deadline cannot wait out: answer now, not at the deadline.
        if (wait >= remainingMs(deadline)) throw failure;
        if (!retryBudget.tryRetry()) throw failure;
        log.info(
          { ...context(), code: failure.code, status: failure.status, tries, waitMs: wait },
          'retrying upstream call',
        );
        observer.retry(name);
        await sleep(wait, deadline, name);
      } finally {
        source.inFlight -= 1;
      }
    }
  } catch (error) {
    const mapped = errorForTransport(origin, error, 'connect');
    mapped.requestId ??= origin.requestId;
    if (mapped.code === 'UPSTREAM_CALL_BUDGET_EXCEEDED') observer.budgetExceeded(name);
    const upstreamSaid = typeof mapped.cause === 'string' ? mapped.cause : undefined;
    log.warn({ ...context(), code: mapped.code, status: mapped.status, upstreamSaid }, 'upstream call failed');
    throw mapped;
  }
}
