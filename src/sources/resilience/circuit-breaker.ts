/**
 * A circuit breaker per source. Closed: calls go through and their outcomes
 * are counted over a sliding window; at `failureRatio` or more failures over
 * at least `minimumCalls`, it opens. Open: calls fail at once with
 * CIRCUIT_OPEN (no socket, no wait) for `openMs`. Then one probe goes
 * through (half-open): success closes it, failure opens it again.
 */
import { GraftError } from '../../errors.ts';
import type { BreakerState } from '../../telemetry/observer.ts';

export interface BreakerOptions {
  source: string;
  failureRatio: number;
  minimumCalls: number;
  windowMs: number;
  openMs: number;
  onStateChange?: (from: BreakerState, to: BreakerState) => void;
  now?: () => number;
}

export interface CircuitBreaker {
  /** Throws CIRCUIT_OPEN when the call may not go; returns a function to report how it went. */
  admit(): (outcome: 'success' | 'failure' | 'neutral') => void;
  /** As a caller would find it now: `half-open` once the open period is over (the next call is the probe). */
  state(): BreakerState;
}

export function createCircuitBreaker({
  source,
  failureRatio,
  minimumCalls,
  windowMs,
  openMs,
  onStateChange,
  now = Date.now,
}: BreakerOptions): CircuitBreaker {
  let state: BreakerState = 'closed';
  let openedAt = 0;
  let probing = false;
  const outcomes = new OutcomeWindow();

  const move = (to: BreakerState) => {
    if (to === state) return;
    const from = state;
    state = to;
    if (to === 'open') openedAt = now();
    if (to === 'closed') outcomes.clear();
    onStateChange?.(from, to);
  };

  const open = () =>
    new GraftError('CIRCUIT_OPEN', `${source} is failing; the gateway stopped calling it for a few seconds.`, {
      source,
      retryable: true,
    });

  return {
    admit() {
      if (state === 'open') {
        if (now() - openedAt < openMs) throw open();
        move('half-open');
      }
      if (state === 'half-open') {
        if (probing) throw open();
        probing = true;
        return (outcome) => {
          probing = false;
          if (outcome === 'failure') move('open');
          else if (outcome === 'success') move('closed');
        };
      }
      return (outcome) => {
        if (outcome === 'neutral' || state !== 'closed') return;
        const at = now();
        outcomes.add(at, outcome === 'failure');
        outcomes.expire(at - windowMs);
        if (outcomes.size >= minimumCalls && outcomes.failures / outcomes.size >= failureRatio) move('open');
      };
    },
    // Once the open period is over the next call probes: say so, though the move happens when that call comes.
    state: () => (state === 'open' && now() - openedAt >= openMs ? 'half-open' : state),
  };
}

/**
 * The outcomes of the window, oldest first, with their failures counted as
 * they come and go: O(1) a call. (Filtering the window's list on every call,
 * as this did, cost a source at 3,000 calls a second a tenth of the
 * gateway's CPU: 30,000 entries each time.) Hand-written: a breaker library
 * would replace the breaker, not a count.
 */
class OutcomeWindow {
  #at: number[] = [];
  #failed: boolean[] = [];
  #head = 0;
  #failures = 0;

  get size(): number {
    return this.#at.length - this.#head;
  }

  get failures(): number {
    return this.#failures;
  }

  add(at: number, failed: boolean): void {
    this.#at.push(at);
    this.#failed.push(failed);
    if (failed) this.#failures++;
  }

  /** Drops the outcomes at or before `before`. */
  expire(before: number): void {
    while (this.#head < this.#at.length && (this.#at[this.#head] as number) <= before) {
      if (this.#failed[this.#head]) this.#failures--;
      this.#head++;
    }
    // The dropped ones leave the arrays once they are most of them: each is copied at most once on average.
    if (this.#head > 1024 && this.#head * 2 > this.#at.length) {
      this.#at = this.#at.slice(this.#head);
      this.#failed = this.#failed.slice(this.#head);
      this.#head = 0;
    }
  }

  clear(): void {
    this.#at = [];
    this.#failed = [];
    this.#head = 0;
    this.#failures = 0;
  }
}
