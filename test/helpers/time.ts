/** Time in tests without sleeping: a clock the test moves, and a wait for a condition. */

/** A clock for `now` options (ms since epoch) that moves only when told to. */
export function manualClock(start = Date.now()): { now: () => number; advance: (ms: number) => void } {
  let current = start;
  return { now: () => current, advance: (ms) => void (current += ms) };
}

/** Resolves once `condition` holds, checking every few ms; fails after `timeoutMs` naming `what`. */
export async function until(condition: () => boolean, what = 'the condition', timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
