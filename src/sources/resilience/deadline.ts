/**
 * The whole GraphQL request's deadline, carried to every upstream call: a
 * signal that fires when it passes (or when the client goes away), and the
 * time it passes, so waits (backoff, Retry-After, rate-limit pacing) that
 * cannot finish in time fail at once instead.
 */
import { GraftError } from '../../errors.ts';

export interface Deadline {
  readonly signal: AbortSignal;
  /** ms since epoch */
  readonly at: number;
}

/** The signal (a timer, and a listener on `also`) is made on first use: a request that calls no upstream pays nothing. */
export function createDeadline(ms: number, also?: AbortSignal, now = Date.now()): Deadline {
  const at = now + ms;
  let signal: AbortSignal | undefined;
  return {
    at,
    get signal() {
      if (!signal) {
        const timeout = AbortSignal.timeout(Math.max(0, at - Date.now()));
        signal = also ? AbortSignal.any([timeout, also]) : timeout;
      }
      return signal;
    },
  };
}

/**
 * The same deadline without the caller's own signal, for work shared with
 * other callers: one client going away must not cancel a call others wait
 * for (each still stops waiting at its own deadline).
 */
export function detached(deadline: Deadline | undefined): Deadline | undefined {
  return deadline && createDeadline(Math.max(0, deadline.at - Date.now()));
}

export function remainingMs(deadline: Deadline | undefined, now = Date.now()): number {
  return deadline ? Math.max(0, deadline.at - now) : Infinity;
}

export function gatewayTimeout(source: string): GraftError {
  return new GraftError('GATEWAY_TIMEOUT', `The request's deadline passed while waiting for ${source}.`, { source, retryable: true });
}

/** Settles like `work`, or rejects with GATEWAY_TIMEOUT when the deadline passes first. */
export function withinDeadline<T>(work: Promise<T>, deadline: Deadline | undefined, source: string): Promise<T> {
  if (!deadline) return work;
  if (deadline.signal.aborted) return Promise.reject(gatewayTimeout(source));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(gatewayTimeout(source));
    deadline.signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => deadline.signal.removeEventListener('abort', onAbort));
  });
}

/** Waits `ms`, or rejects with GATEWAY_TIMEOUT when the deadline passes first. */
export function sleep(ms: number, deadline: Deadline | undefined, source: string): Promise<void> {
  return withinDeadline(new Promise<void>((resolve) => setTimeout(resolve, ms).unref()), deadline, source);
}
