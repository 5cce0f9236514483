/** Hedged attempts in isolation, their clock injected: who wins, and which attempts are aborted after. */
import { describe, expect, it } from 'vitest';
import { hedge } from '../../../src/sources/resilience/hedging.ts';

/** A schedule whose timers fire when the test says. */
function manualSchedule() {
  const due: Array<() => void> = [];
  const schedule = (run: () => void) => {
    due.push(run);
    return () => void due.splice(due.indexOf(run), 1);
  };
  return { schedule, fire: () => due.shift()?.() };
}

describe('hedge', () => {
  it('aborts nothing when the first attempt answers: no abort (and no DOMException) for an attempt that settled', async () => {
    const signals: AbortSignal[] = [];
    const { schedule } = manualSchedule();
    const result = await hedge({
      first: async (signal) => {
        signals.push(signal);
        return 'first';
      },
      backup: async () => async () => 'backup',
      maxBackups: 1,
      delayMs: () => 10,
      schedule,
    });
    expect(result).toEqual({ value: 'first', byBackup: false });
    expect(signals.map((signal) => signal.aborted)).toEqual([false]);
  });

  it('aborts the attempts still out once a backup wins, and only them', async () => {
    const signals: AbortSignal[] = [];
    const { schedule, fire } = manualSchedule();
    let answerFirst: (value: string) => void = () => {};
    const hedged = hedge({
      first: (signal) => {
        signals.push(signal);
        return new Promise<string>((resolve) => (answerFirst = resolve));
      },
      backup: async () => async (signal) => {
        signals.push(signal);
        return 'backup';
      },
      maxBackups: 1,
      delayMs: () => 10,
      schedule,
    });
    await Promise.resolve();
    fire(); // the first is late: a backup goes
    const result = await hedged;
    expect(result).toEqual({ value: 'backup', byBackup: true });
    expect(signals.map((signal) => signal.aborted)).toEqual([true, false]);
    answerFirst('first, too late');
  });
});
