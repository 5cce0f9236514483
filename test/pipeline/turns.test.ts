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

  it('starts fewer a turn while turns cost more than the budget, down to one', async () => {
    const loop = handLoop();
    const started = await startedPerTurn(loop, createTurns({ budgetMs: 10, now: loop.now, schedule: loop.schedule }), 40, 4);
    // 8 at 4 ms each is 32 ms: halved to 4 (16 ms), 2 (8 ms fits: one more), 3 (12 ms: halved), 1 …
    expect(started.slice(0, 5)).toEqual([8, 4, 2, 3, 1]);
    // From then on turns stay near the budget: 1 to 3 requests of 4 ms.
    expect(Math.max(...started.slice(3))).toBeLessThanOrEqual(3);
    expect(started.reduce((sum, n) => sum + n, 0)).toBe(40);
  });

  it('starts more a turn while turns are cheap', async () => {
    const loop = handLoop();
    const started = await startedPerTurn(loop, createTurns({ budgetMs: 10, now: loop.now, schedule: loop.schedule }), 200, 0.01);
    expect(started.slice(0, 5)).toEqual([8, 9, 10, 11, 12]);
    expect(started.reduce((sum, n) => sum + n, 0)).toBe(200);
  });
});
