/**
 * Starts requests in turns of the event loop, first come first served, as
 * many a turn as fit in `budgetMs`.
 *
 * Why: libuv accepts one connection per loop iteration (libuv#3696), and a
 * request answered from cache runs to its end inside the I/O callback that
 * read it. A saturated process then spends each iteration answering every
 * connection that has a request ready (100 connections × a few ms), and a
 * new connection waits one such iteration per connection ahead of it:
 * measured on the example graph, the first requests of 10 new connections
 * were answered after 1 to 5 s while the others took 0.4 s. Started here,
 * a turn does a bounded amount of work and the loop comes round to accept
 * and read again; a request waits for those queued before it, not for
 * connections the loop has yet to accept.
 *
 * The count a turn starts adapts to what turns cost: halved when the last
 * turn (with the I/O between turns) took longer than the budget, one more
 * when it did not. But a turn also holds the continuations of requests
 * already running (their upstream answers), which starting fewer does not
 * shorten: so a turn also starts every request that has waited eight
 * turns, however costly they are (without that floor q1, whose turns are
 * mostly upstream answers, lost 12%). No library
 * schedules promise continuations by event loop turn; this is the smallest
 * thing that does.
 */

export interface Turns {
  /** Resolves when this request may start: in a later turn of the event loop, after those that asked before it. */
  next(): Promise<void>;
}

export interface TurnOptions {
  /** Time one turn may take, I/O between turns included. @default 10 // ms */
  budgetMs?: number;
  /** @default performance.now */
  now?: () => number;
  /** Runs a callback in the next turn. @default setImmediate */
  schedule?: (run: () => void) => void;
}

/** Requests a turn starts at most, however cheap they are. */
const MOST_PER_TURN = 256;
/** Turns a request waits at most, however costly they are. */
const MOST_TURNS_WAITED = 8;
/** Started requests the queue keeps at most before it drops them. */
const COMPACT_AFTER = 1_024;

export function createTurns({ budgetMs = 10, now = () => performance.now(), schedule = setImmediate }: TurnOptions = {}): Turns {
  const waiting: Array<() => void> = [];
  /** The turn each waiting request asked in. */
  const askedIn: number[] = [];
  let head = 0;
  let turns = 0;
  let perTurn = 8;
  let scheduled = false;
  let lastTurnAt: number | undefined;

  const turn = () => {
    const at = now();
    if (lastTurnAt !== undefined) perTurn = at - lastTurnAt > budgetMs ? Math.max(1, perTurn >> 1) : Math.min(MOST_PER_TURN, perTurn + 1);
    lastTurnAt = at;
    turns++;
    let end = Math.min(waiting.length, head + perTurn);
    while (end < waiting.length && (askedIn[end] as number) <= turns - MOST_TURNS_WAITED) end++;
    for (; head < end; head++) (waiting[head] as () => void)();
    if (head < waiting.length) {
      // Under sustained load the queue never empties: drop what has started now and then, so that it does not grow without end.
      if (head >= COMPACT_AFTER) {
        waiting.splice(0, head);
        askedIn.splice(0, head);
        head = 0;
      }
      return schedule(turn);
    }
    waiting.length = 0;
    askedIn.length = 0;
    head = 0;
    scheduled = false;
    // An idle loop says nothing about what the next busy turn costs: measure afresh.
    lastTurnAt = undefined;
  };

  return {
    next() {
      return new Promise<void>((resolve) => {
        waiting.push(resolve);
        askedIn.push(turns);
        if (scheduled) return;
        scheduled = true;
        schedule(turn);
      });
    },
  };
}
