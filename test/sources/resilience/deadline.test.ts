/**
 * Deadlines and attempt timers that end with their work: released, they
 * neither fire nor keep a listener on the caller's signal. Timers are
 * vitest's fake ones: nothing here waits real time.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDeadline, timedSignal } from '../../../src/core/deadline.ts';
import { GraftError } from '../../../src/errors.ts';
import { withinDeadline } from '../../../src/sources/resilience/deadline.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('timedSignal', () => {
  it('fires a TimeoutError after its time, and says so', () => {
    const timed = timedSignal(1_000);
    vi.advanceTimersByTime(999);
    expect(timed.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(timed.signal.aborted).toBe(true);
    expect((timed.signal.reason as Error).name).toBe('TimeoutError');
    expect(timed.timedOut()).toBe(true);
  });

  it('fires with the other signal, with its reason, and not as a timeout', () => {
    const caller = new AbortController();
    const timed = timedSignal(1_000, caller.signal);
    caller.abort(new Error('client went away'));
    expect(timed.signal.aborted).toBe(true);
    expect((timed.signal.reason as Error).message).toBe('client went away');
    expect(timed.timedOut()).toBe(false);
  });

  it('is aborted from the start when the other signal already is', () => {
    const caller = new AbortController();
    caller.abort();
    expect(timedSignal(1_000, caller.signal).signal.aborted).toBe(true);
  });

  it('released, it never fires, and the other signal no longer reaches it', () => {
    const caller = new AbortController();
    const timed = timedSignal(1_000, caller.signal);
    timed.release();
    vi.advanceTimersByTime(5_000);
    caller.abort();
    expect(timed.signal.aborted).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('createDeadline', () => {
  it('asks for the caller’s signal only when its own signal is first used', () => {
    let asked = 0;
    const caller = new AbortController();
    const deadline = createDeadline(10_000, () => {
      asked += 1;
      return caller.signal;
    });
    expect(asked).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(deadline.signal.aborted).toBe(false);
    expect(deadline.signal).toBe(deadline.signal);
    expect(asked).toBe(1);
    caller.abort();
    expect(deadline.signal.aborted).toBe(true);
  });

  it('released, its timer is gone', () => {
    const deadline = createDeadline(10_000);
    void deadline.signal;
    expect(vi.getTimerCount()).toBe(1);
    deadline.release();
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('withinDeadline', () => {
  it('rejects with GATEWAY_TIMEOUT naming the source when the deadline passes first', async () => {
    const deadline = createDeadline(1_000, undefined, Date.now());
    const waiting = withinDeadline(new Promise<never>(() => {}), deadline, 'accounts');
    const settled = expect(waiting).rejects.toMatchObject({
      code: 'GATEWAY_TIMEOUT',
      message: expect.stringContaining('accounts'),
    });
    vi.advanceTimersByTime(1_000);
    await settled;
    await expect(waiting).rejects.toBeInstanceOf(GraftError);
  });

  it('settles like the work, and leaves no timer behind', async () => {
    const deadline = createDeadline(1_000, undefined, Date.now());
    await expect(withinDeadline(Promise.resolve('answer'), deadline, 'accounts')).resolves.toBe('answer');
    expect(vi.getTimerCount()).toBe(0);
    expect(deadline.signal.aborted).toBe(false); // the wait used a timer, not the deadline's signal
  });

  it('rejects at once when the deadline has passed', async () => {
    const deadline = createDeadline(1_000, undefined, Date.now() - 2_000);
    await expect(withinDeadline(Promise.resolve('late'), deadline, 'accounts')).rejects.toMatchObject({
      code: 'GATEWAY_TIMEOUT',
    });
  });
});
