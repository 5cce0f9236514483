/**
 * A retry budget per source (as in Finagle and Envoy): over a sliding
 * window, retries may add at most `ratio` of the calls, plus a small floor
 * so a quiet source can still retry at all. A failing upstream then sees at
 * most 1 + ratio times its normal load, not maxAttempts times.
 */
export interface RetryBudgetOptions {
  ratio: number;
  /** Retries allowed per window whatever the traffic. */
  floor: number;
  windowMs: number;
  now?: () => number;
}

export interface RetryBudget {
  recordCall(): void;
  /** Spends one retry if the budget allows it. */
  tryRetry(): boolean;
  /** Calls and retries held for the window, as of the last call (for metrics). */
  inWindow(): { calls: number; retries: number };
}

export function createRetryBudget({ ratio, floor, windowMs, now = Date.now }: RetryBudgetOptions): RetryBudget {
  const calls: number[] = [];
  const retries: number[] = [];
  const prune = (times: number[]) => {
    const horizon = now() - windowMs;
    while (times.length > 0 && (times[0] as number) <= horizon) times.shift();
  };
  return {
    recordCall() {
      calls.push(now());
      prune(calls); // without this, a source that never fails would keep every call's timestamp
    },
    tryRetry() {
      prune(calls);
      prune(retries);
      if (retries.length >= floor + ratio * calls.length) return false;
      retries.push(now());
      return true;
    },
    inWindow: () => ({ calls: calls.length, retries: retries.length }),
  };
}
