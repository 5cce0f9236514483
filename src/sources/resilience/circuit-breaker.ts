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
  const outcomes: Array<{ at: number; failed: boolean }> = [];

  const move = (to: BreakerState) => {
    if (to === state) return;
    const from = state;
    state = to;
    if (to === 'open') openedAt = now();
    if (to === 'closed') outcomes.length = 0;
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
        outcomes.push({ at, failed: outcome === 'failure' });
        while (outcomes.length > 0 && (outcomes[0]?.at ?? at) <= at - windowMs) outcomes.shift();
        const failures = outcomes.filter((entry) => entry.failed).length;
        if (outcomes.length >= minimumCalls && failures / outcomes.length >= failureRatio) move('open');
      };
    },
    // Once the open period is over the next call probes: say so, though the move happens when that call comes.
    state: () => (state === 'open' && now() - openedAt >= openMs ? 'half-open' : state),
  };
}
