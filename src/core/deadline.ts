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
  /**
   * Calls `listener` once if the caller goes away before its answer (not at
   * the deadline); returns its removal. Cheaper than `signal` (no timer, no
   * AbortSignal): what a request needs for every upstream call it starts.
   */
  onCallerLeaves(listener: () => void): () => void;
}

/** How a caller's going away is told: `listener` once, and the removal of it. */
export type CallerLeaves = (listener: () => void) => () => void;

const NOTHING = () => {};

/**
 * The signal (a timer, and a listener on the caller's signal, which `also`
 * gives) is made on first use: a request whose calls all join loads already
 * in flight, or that calls no upstream, pays nothing.
 */
export function createDeadline(
  ms: number,
  also?: () => AbortSignal,
  now = Date.now(),
  leaves?: CallerLeaves,
): Deadline {
  return new LazyDeadline(now + ms, also, leaves);
}

/** A class: one is made for every request, its methods need not be. */
class LazyDeadline implements Deadline {
  #timed: TimedSignal | undefined;
  constructor(
    readonly at: number,
    private readonly also: (() => AbortSignal) | undefined,
    private readonly leaves: CallerLeaves | undefined,
  ) {}
  #offLeave: (() => void) | undefined;
  onCallerLeaves(listener: () => void): () => void {
    return this.leaves?.(listener) ?? NOTHING;
  }
  get signal(): AbortSignal {
    if (!this.#timed) {
      const timed = timedSignal(Math.max(0, this.at - Date.now()), this.also?.());
      this.#timed = timed;
      // The caller's going away aborts it too, told by the cheap hook (an event listener, not another signal).
      this.#offLeave = this.leaves?.(() => timed.abort(new DOMException('The caller went away.', 'AbortError')));
    }
    return this.#timed.signal;
  }
  release(): void {
    this.#timed?.release();
    this.#offLeave?.();
  }
}

export interface TimedSignal {
  readonly signal: AbortSignal;
  /** The timer fired (not `also`). */
  timedOut(): boolean;
  /** Clears the timer and the listener on `also`. */
  release(): void;
  /** Aborts it now, with `reason` (and releases it). */
  abort(reason: unknown): void;
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
  const abort = (reason: unknown) => {
    release();
    controller.abort(reason);
  };
  return { signal: controller.signal, timedOut: () => timedOut, release, abort };
}
