/**
 * The whole GraphQL request's deadline, made by the pipeline for each
 * request and carried to every upstream call: a signal that fires when it
 * passes (or when the client goes away), and the time it passes, so waits
 * that cannot finish in time fail at once instead (sources/resilience/deadline.ts).
 */
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
