/** Requests start in turns, first come first served, as many a turn as the budget allows (on a hand-driven clock and loop). */
import { describe, expect, it } from 'vitest';
import { createTurns } from '../../src/pipeline/turns.ts';

/** A loop turned by hand: `turn()` runs what was scheduled for the next turn, then lets promise continuations run. */
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

async function startedPerTurn(loop: ReturnType<typeof handLoop>, turns: ReturnType<typeof createTurns>, requests: number, msPerRequest: number): Promise<number[]> {
  const started: number[] = [];
  let turn = 0;
  for (let i = 0; i < requests; i++) void turns.next().then(() => (started[turn] = (started[turn] ?? 0) + 1));
  while (loop.pending > 0) {
    await loop.turn();
    loop.advance((started[turn] ?? 0) * msPerRequest);
    turn++;
  }
  return started;
}

describe('turns', () => {
  it('starts requests in the order they asked, none before the next turn', async () => {
    const loop = handLoop();
    const turns = createTurns({ now: loop.now, schedule: loop.schedule });
    const order: number[] = [];
    for (let i = 0; i < 20; i++) void turns.next().then(() => order.push(i));
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([]);
    while (loop.pending > 0) await loop.turn();
    expect(order).toEqual([...Array(20).keys()]);
  });

  it('keeps order under sustained load, when the queue never empties', async () => {
    const loop = handLoop();
    const turns = createTurns({ now: loop.now, schedule: loop.schedule });
    const order: number[] = [];
    let asked = 0;
    const ask = (count: number) => {
      for (let i = 0; i < count; i++) {
        const n = asked++;
        void turns.next().then(() => order.push(n));
      }
    };
    // 50 more each turn than a cheap turn starts: the queue stays full for 200 turns (past the point it drops started requests).
    for (let turn = 0; turn < 200; turn++) {
      ask(50);
      await loop.turn();
    }
    while (loop.pending > 0) await loop.turn();
    expect(order).toEqual([...Array(asked).keys()]);
  });

  it('starts fewer a turn while turns cost more than the budget, down to one', async () => {
    const loop = handLoop();
    // 16 waiting: the floor (an eighth of those waiting) is 2, then 1.
    const started = await startedPerTurn(loop, createTurns({ budgetMs: 10, now: loop.now, schedule: loop.schedule }), 16, 4);
    // 8 at 4 ms each is 32 ms: halved to 4 (16 ms), 2 (8 ms fits: one more), then 2 left.
    expect(started).toEqual([8, 4, 2, 2]);
  });

  it('starts every request within eight turns of asking, however costly the turns', async () => {
    const loop = handLoop();
    const started = await startedPerTurn(loop, createTurns({ budgetMs: 10, now: loop.now, schedule: loop.schedule }), 400, 4);
    // The first turns start few (their cost is over the budget); the eighth starts everyone left.
    expect(started.length).toBe(8);
    expect(started.slice(0, 4)).toEqual([8, 4, 2, 3]);
    expect(started.reduce((sum, n) => sum + n, 0)).toBe(400);
  });

  it('starts more a turn while turns are cheap', async () => {
    const loop = handLoop();
    const started = await startedPerTurn(loop, createTurns({ budgetMs: 10, now: loop.now, schedule: loop.schedule }), 200, 0.01);
    expect(started.slice(0, 5)).toEqual([8, 9, 10, 11, 12]);
    expect(started.reduce((sum, n) => sum + n, 0)).toBe(200);
  });
});
