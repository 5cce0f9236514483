/** Requests start in turns, first come first served, one after another while the budget lasts (on a hand-driven clock and loop). */
import { describe, expect, it } from 'vitest';
import { createRequestScheduler } from '../../src/pipeline/request-scheduler.ts';

/** A loop turned by hand: `turn()` runs what was scheduled for the next turn, then lets promise continuations and nextTicks run. */
function handLoop() {
  let clock = 0;
  let queued: Array<() => void> = [];
  return {
    now: () => clock,
    schedule: (run: () => void) => void queued.push(run),
    advance: (ms: number) => void (clock += ms),
    get pending() {
      return queued.length;
    },
    async turn() {
      const runs = queued;
      queued = [];
      for (const run of runs) run();
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

/** A request's work that needs no I/O: `steps` promise continuations, each noted. */
async function work(name: string, steps: number, log: string[]): Promise<void> {
  for (let step = 0; step < steps; step++) {
    await Promise.resolve();
    log.push(`${name}${step}`);
  }
}

describe('the request scheduler', () => {
  it('starts requests in the order they asked, none before the next turn', async () => {
    const loop = handLoop();
    const turns = createRequestScheduler({ now: loop.now, schedule: loop.schedule });
    const order: number[] = [];
    for (let i = 0; i < 20; i++) void turns.next().then(() => order.push(i));
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([]);
    while (loop.pending > 0) await loop.turn();
    expect(order).toEqual([...Array(20).keys()]);
  });

  it('starts the next request once the last has run as far as it can, not beside it', async () => {
    const loop = handLoop();
    const turns = createRequestScheduler({ now: loop.now, schedule: loop.schedule });
    const log: string[] = [];
    const done = ['a', 'b', 'c'].map((name) => turns.next().then(() => work(name, 3, log)));
    await loop.turn();
    await Promise.all(done);
    // Started together, they would have interleaved: a0 b0 c0 a1 …
    expect(log).toEqual(['a0', 'a1', 'a2', 'b0', 'b1', 'b2', 'c0', 'c1', 'c2']);
    expect(loop.pending).toBe(0); // all in one turn
  });

  it('does not hold the next request while the last waits for I/O', async () => {
    const loop = handLoop();
    const turns = createRequestScheduler({ now: loop.now, schedule: loop.schedule });
    const log: string[] = [];
    let answer!: () => void;
    const upstream = new Promise<void>((resolve) => (answer = resolve));
    const first = turns.next().then(async () => {
      log.push('a asks');
      await upstream;
      log.push('a answered');
    });
    const second = turns.next().then(() => work('b', 2, log));
    await loop.turn();
    expect(log).toEqual(['a asks', 'b0', 'b1']);
    answer();
    await Promise.all([first, second]);
    expect(log.at(-1)).toBe('a answered');
  });

  it('starts requests while the turn is within its budget, one at least, the rest in the next turns', async () => {
    const loop = handLoop();
    const turns = createRequestScheduler({ budgetMs: 10, now: loop.now, schedule: loop.schedule });
    const started: number[] = [];
    let turn = 0;
    // Each request takes 4 ms: a turn starts at 0, 4 and 8 ms, and at 12 it is over its budget.
    for (let i = 0; i < 10; i++)
      void turns.next().then(() => {
        started[turn] = (started[turn] ?? 0) + 1;
        loop.advance(4);
      });
    while (loop.pending > 0) {
      await loop.turn();
      turn++;
    }
    expect(started).toEqual([3, 3, 3, 1]);

    // A request that takes longer than a whole turn still lets one start in each.
    const slow: number[] = [];
    for (let i = 0; i < 3; i++)
      void turns.next().then(() => {
        slow.push(turn);
        loop.advance(50);
      });
    while (loop.pending > 0) {
      await loop.turn();
      turn++;
    }
    expect(slow).toEqual([4, 5, 6]);
  });

  it('keeps order under sustained load, when the queue never empties', async () => {
    const loop = handLoop();
    const turns = createRequestScheduler({ budgetMs: 10, now: loop.now, schedule: loop.schedule });
    const order: number[] = [];
    let asked = 0;
    const ask = (count: number) => {
      for (let i = 0; i < count; i++) {
        const n = asked++;
        void turns.next().then(() => {
          order.push(n);
          loop.advance(1);
        });
      }
    };
    // 20 more each turn than a turn starts (11 at 1 ms each): the queue stays full for 200 turns (past the point it drops started requests).
    for (let turn = 0; turn < 200; turn++) {
      ask(31);
      await loop.turn();
    }
    expect(asked - order.length).toBeGreaterThan(1_024);
    while (loop.pending > 0) await loop.turn();
    expect(order).toEqual([...Array(asked).keys()]);
  });
});
