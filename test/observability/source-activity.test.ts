import { describe, expect, it } from 'vitest';
import { createSourceActivity } from '../../src/observability/source-activity.ts';
import type { UpstreamAttempt } from '../../src/telemetry/observer.ts';
import { manualClock } from '../helpers/time.ts';

const attempt = (attemptMs: number, outcome: UpstreamAttempt['outcome'] = 'success'): UpstreamAttempt => ({
  source: 'accounts',
  method: 'GET',
  status: 200,
  outcome,
  attemptMs,
});

describe("a source's last minute", () => {
  it('counts calls and failures, and gives nearest-rank p50 / p99 of their durations', () => {
    const clock = manualClock(1_000_000);
    const activity = createSourceActivity(clock.now);
    for (let ms = 1; ms <= 100; ms++)
      activity.observer.attempt(attempt(ms, ms % 10 === 0 ? 'UPSTREAM_ERROR' : 'success'));
    activity.observer.attempt(attempt(5, 'cancelled'));
    expect(activity.lastMinute('accounts')).toEqual({ calls: 100, failures: 10, p50Ms: 50, p99Ms: 99 });
    expect(activity.lastMinute('weather')).toEqual({ calls: 0, failures: 0 });
  });

  it('forgets what is older than a minute, second by second', () => {
    const clock = manualClock(1_000_000);
    const activity = createSourceActivity(clock.now);
    activity.observer.attempt(attempt(10));
    clock.advance(30_000);
    activity.observer.attempt(attempt(20, 'UPSTREAM_TIMEOUT'));
    expect(activity.lastMinute('accounts')).toMatchObject({ calls: 2, failures: 1, p99Ms: 20 });
    clock.advance(31_000);
    expect(activity.lastMinute('accounts')).toEqual({ calls: 1, failures: 1, p50Ms: 20, p99Ms: 20 });
    clock.advance(30_000);
    expect(activity.lastMinute('accounts')).toEqual({ calls: 0, failures: 0 });
    // A slot reused a minute later starts from zero.
    activity.observer.attempt(attempt(30));
    expect(activity.lastMinute('accounts')).toEqual({ calls: 1, failures: 0, p50Ms: 30, p99Ms: 30 });
  });
});
