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
  /** The work is over: drops the timer and the listener on the caller's signal (the signal never fires after). */
  release(): void;
}

/**
 * The signal (a timer, and a listener on the caller's signal, which `also`
 * gives) is made on first use: a request whose calls all join loads already
 * in flight, or that calls no upstream, pays nothing.
 */
export function createDeadline(ms: number, also?: () => AbortSignal, now = Date.now()): Deadline {
  return new LazyDeadline(now + ms, also);
}

/** A class: one is made for every request, its methods need not be. */
class LazyDeadline implements Deadline {
  #timed: TimedSignal | undefined;
  constructor(
    readonly at: number,
    private readonly also: (() => AbortSignal) | undefined,
  ) {}
  get signal(): AbortSignal {
    this.#timed ??= timedSignal(Math.max(0, this.at - Date.now()), this.also?.());
    return this.#timed.signal;
  }
  release(): void {
    this.#timed?.release();
  }
}

export interface TimedSignal {
  readonly signal: AbortSignal;
  /** The timer fired (not `also`). */
  timedOut(): boolean;
  /** Clears the timer and the listener on `also`. */
  release(): void;
}

/**
 * A signal that fires after `ms` (a TimeoutError, as AbortSignal.timeout's)
 * or when one of `also` fires. Not AbortSignal.timeout + AbortSignal.any:
 * those cannot be cleared, so each request's timer and the weak references
 * that tie the signals together live for the whole timeout (10 s) after the
 * request ended; under load they are promoted to old space by the thousands
 * and the heap grows between mark-compacts. This one is released when the
 * work ends and dies young.
 */
export function timedSignal(ms: number, ...also: ReadonlyArray<AbortSignal | undefined>): TimedSignal {
  const controller = new AbortController();
  const others = also.filter((signal): signal is AbortSignal => signal !== undefined);
  let timedOut = false;
  const release = () => {
    clearTimeout(timer);
    for (const other of others) other.removeEventListener('abort', onOther);
  };
  const onOther = function (this: AbortSignal) {
    release();
    controller.abort(this.reason);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    release();
    controller.abort(new DOMException('The operation timed out.', 'TimeoutError'));
  }, ms);
  timer.unref();
  for (const other of others) {
    if (other.aborted) {
      release();
      controller.abort(other.reason);
      break;
    }
    other.addEventListener('abort', onOther, { once: true });
  }
  return { signal: controller.signal, timedOut: () => timedOut, release };
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

/**
 * Settles like `work`, or rejects with GATEWAY_TIMEOUT when the deadline
 * passes first. A timer, not the deadline's signal: a caller waiting for a
 * load others share then needs no signal of its own (a caller that goes
 * away stops waiting at its deadline, and the load goes on for the others).
 */
export function withinDeadline<T>(work: Promise<T>, deadline: Deadline | undefined, source: string, now = Date.now()): Promise<T> {
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
