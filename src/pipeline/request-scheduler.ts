/**
 * The request scheduler: starts requests in turns of the event loop, first
 * come first served, one after another: the next starts once the last has
 * run as far as it can without waiting for I/O, for as long as a turn's
 * `budgetMs` lasts.
 *
 * Why turns: libuv accepts one connection per loop iteration (libuv#3696),
 * and a request answered from cache runs to its end inside the I/O callback
 * that read it. A saturated process then spends each iteration answering
 * every connection that has a request ready, and a new connection waits one
 * such iteration per connection ahead of it. Started here, a turn does a
 * bounded amount of work and the loop comes round to accept and read again;
 * a request waits for those queued before it, not for connections the loop
 * has yet to accept.
 *
 * Why one after another: requests started together advance together, a
 * step each in turn (promise continuations run first in, first out), so
 * every one of them holds its half-built answer until the last has built
 * its own. Many answers alive at once outlive V8's young-generation
 * collections and are promoted to the old one, which then needs frequent
 * full collections. Started one after another, an answer is built,
 * serialized and written before the next begins, and dies young. (The
 * measurements behind both are in the commit that added this module, and in
 * bench/results/.)
 *
 * No library schedules promise continuations by event loop turn; this is
 * the smallest thing that does.
 */

export interface RequestScheduler {
  /** Resolves when this request may start: in a later turn of the event loop, after those that asked before it. */
  next(): Promise<void>;
}

export interface RequestSchedulerOptions {
  /** Time a turn goes on starting requests; it starts one at least. @default 10 // ms */
  budgetMs?: number;
  /** @default performance.now */
  now?: () => number;
  /** Runs a callback in the next turn. @default setImmediate */
  schedule?: (run: () => void) => void;
}

/** Started requests the queue keeps at most before it drops them. */
const COMPACT_AFTER = 1_024;

export function createRequestScheduler({
  budgetMs = 10,
  now = () => performance.now(),
  schedule = setImmediate,
}: RequestSchedulerOptions = {}): RequestScheduler {
  const waiting: Array<() => void> = [];
  let head = 0;
  let scheduled = false;
  let turnStartedAt = 0;

  const start = () => {
    (waiting[head++] as () => void)();
    // Under sustained load the queue never empties: drop what has started now and then, so that it does not grow without end.
    if (head >= COMPACT_AFTER) {
      waiting.splice(0, head);
      head = 0;
    }
    afterDrain(startNext);
  };
  const startNext = () => {
    if (head < waiting.length) return now() - turnStartedAt > budgetMs ? schedule(turn) : start();
    waiting.length = 0;
    head = 0;
    scheduled = false;
  };
  const turn = () => {
    turnStartedAt = now();
    start();
  };

  return {
    next() {
      return new Promise<void>((resolve) => {
        waiting.push(resolve);
        if (scheduled) return;
        scheduled = true;
        schedule(turn);
      });
    },
  };
}

/**
 * Runs `run` once the request just started has gone as far as it can: Node
 * runs a nextTick queued from a promise continuation only after the
 * continuations queued behind it, its own included, have all run.
 */
function afterDrain(run: () => void): void {
  queueMicrotask(() => process.nextTick(run));
}
