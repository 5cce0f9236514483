/**
 * Waits bounded by the request's deadline (core/deadline.ts): backoff,
 * Retry-After, rate-limit pacing and shared loads that cannot finish in
 * time fail at once with GATEWAY_TIMEOUT instead.
 */
import { type CallerLeaves, createDeadline, type Deadline } from '../../core/deadline.ts';
import { GraftError } from '../../errors.ts';

/**
 * The same deadline without the caller's own signal, for work shared with
 * other callers: one client going away must not cancel a call others wait
 * for (each still stops waiting at its own deadline). `abandoned`: the
 * load's own end, when nobody waits for it any more (cache/response-cache.ts).
 */
export function detached(deadline: Deadline | undefined, abandoned?: CallerLeaves): Deadline | undefined {
  return deadline && createDeadline(Math.max(0, deadline.at - Date.now()), undefined, Date.now(), abandoned);
}

export function remainingMs(deadline: Deadline | undefined, now = Date.now()): number {
  return deadline ? Math.max(0, deadline.at - now) : Infinity;
}

export function gatewayTimeout(source: string): GraftError {
  return new GraftError('GATEWAY_TIMEOUT', `The request's deadline passed while waiting for ${source}.`, {
    source,
    retryable: true,
  });
}

/**
 * Settles like `work`, or rejects with GATEWAY_TIMEOUT when the deadline
 * passes first. A timer, not the deadline's signal: a caller waiting for a
 * load others share then needs no signal of its own (a caller that goes
 * away stops waiting at its deadline, and the load goes on for the others).
 */
export function withinDeadline<T>(
  work: Promise<T>,
  deadline: Deadline | undefined,
  source: string,
  now = Date.now(),
): Promise<T> {
  if (!deadline) return work;
  const remaining = deadline.at - now;
  if (remaining <= 0) return Promise.reject(gatewayTimeout(source));
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(gatewayTimeout(source)), remaining);
    timer.unref();
    work.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

/** Waits `ms`, or rejects with GATEWAY_TIMEOUT when the deadline passes first. */
export function sleep(ms: number, deadline: Deadline | undefined, source: string): Promise<void> {
  return withinDeadline(new Promise<void>((resolve) => setTimeout(resolve, ms).unref()), deadline, source);
}
