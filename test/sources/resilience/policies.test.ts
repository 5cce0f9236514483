import fc from 'fast-check';
/** The resilience policies on their own, with injected clocks and randomness. */
import { describe, expect, it } from 'vitest';
import { createCircuitBreaker } from '../../../src/sources/resilience/circuit-breaker.ts';
import { readRateLimit } from '../../../src/sources/resilience/rate-limit-headers.ts';
import { createRetryBudget } from '../../../src/sources/resilience/retry-budget.ts';
import { backoffMs, isRetryableFailure, mayRetry, retryAfterMs } from '../../../src/sources/resilience/retry-policy.ts';

describe('retry policy', () => {
  it('retries idempotent methods only, and POST/PATCH with an Idempotency-Key', () => {
    const idempotent = ['GET', 'HEAD'];
    expect(['GET', 'HEAD', 'PUT', 'DELETE', 'POST', 'PATCH'].map((method) => mayRetry(method, idempotent))).toEqual([
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
    expect(mayRetry('PUT', ['GET', 'HEAD', 'PUT'])).toBe(true);
    expect(mayRetry('POST', idempotent, { 'Idempotency-Key': 'k1' })).toBe(true);
  });

  it('retries connection failures, 502/503/504 and 429, not a 500 or a bad body', () => {
    expect(isRetryableFailure('UPSTREAM_UNAVAILABLE', undefined)).toBe(true);
    expect(isRetryableFailure('UPSTREAM_TIMEOUT', undefined)).toBe(true);
    expect([502, 503, 504].map((status) => isRetryableFailure('UPSTREAM_UNAVAILABLE', status))).toEqual([
      true,
      true,
      true,
    ]);
    expect(isRetryableFailure('UPSTREAM_RATE_LIMITED', 429)).toBe(true);
    expect(isRetryableFailure('UPSTREAM_ERROR', 500)).toBe(false);
    expect(isRetryableFailure('UPSTREAM_BAD_RESPONSE', 200)).toBe(false);
  });

  it('backs off exponentially with full jitter, capped', () => {
    expect([1, 2, 3, 4, 10].map((attempt) => backoffMs(attempt, 100, 1_000, () => 0.999))).toEqual([
      99, 199, 399, 799, 999,
    ]);
    expect(backoffMs(3, 100, 1_000, () => 0)).toBe(0);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.UTC(2026, 0, 1);
    expect(retryAfterMs('3', now)).toBe(3_000);
    expect(retryAfterMs(new Date(now + 5_000).toUTCString(), now)).toBe(5_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(undefined, now)).toBeUndefined();
  });
});

describe('retry budget', () => {
  it('allows the floor, then 20% of calls over the window', () => {
    let now = 0;
    const budget = createRetryBudget({ ratio: 0.2, floor: 2, windowMs: 1_000, now: () => now });
    for (let i = 0; i < 10; i++) budget.recordCall();
    const granted = Array.from({ length: 10 }, () => budget.tryRetry()).filter(Boolean).length;
    expect(granted).toBe(4); // 2 + 0.2 × 10
    now = 1_500;
    expect(budget.tryRetry()).toBe(true); // the window moved on
  });
});

describe('retry budget memory', () => {
  it('keeps no more than a window of calls when nothing is ever retried', () => {
    let now = 0;
    const budget = createRetryBudget({ ratio: 0.2, floor: 0, windowMs: 1_000, now: () => now });
    for (let i = 0; i < 100_000; i++) {
      now += 1;
      budget.recordCall();
    }
    expect(budget.inWindow()).toEqual({ calls: 1_000, retries: 0 });
    expect(Array.from({ length: 300 }, () => budget.tryRetry()).filter(Boolean)).toHaveLength(200);
  });
});

describe('circuit breaker', () => {
  it('stays closed under the minimum number of calls, opens at the failure ratio, half-opens after the open period', () => {
    let now = 0;
    const changes: string[] = [];
    const breaker = createCircuitBreaker({
      source: 's',
      failureRatio: 0.5,
      minimumCalls: 4,
      windowMs: 10_000,
      openMs: 1_000,
      now: () => now,
      onStateChange: (from, to) => changes.push(`${from}→${to}`),
    });
    for (const outcome of ['failure', 'failure', 'failure'] as const) breaker.admit()(outcome);
    expect(breaker.state()).toBe('closed'); // 3 failures, but fewer than 4 calls
    breaker.admit()('neutral'); // a 404 or a 429: not counted
    expect(breaker.state()).toBe('closed');
    breaker.admit()('success');
    expect(breaker.state()).toBe('open'); // 3 of 4
    expect(() => breaker.admit()).toThrow(expect.objectContaining({ code: 'CIRCUIT_OPEN' }));
    now = 999;
    expect(breaker.state()).toBe('open');
    now = 1_000;
    expect(breaker.state()).toBe('half-open'); // the next call probes, though none has come yet
    expect(changes).toEqual(['closed→open']);
    const probe = breaker.admit();
    expect(() => breaker.admit()).toThrow(expect.objectContaining({ code: 'CIRCUIT_OPEN' }));
    probe('success');
    expect(breaker.state()).toBe('closed');
    expect(changes).toEqual(['closed→open', 'open→half-open', 'half-open→closed']);
  });

  it('forgets outcomes older than the window', () => {
    let now = 0;
    const breaker = createCircuitBreaker({
      source: 's',
      failureRatio: 0.5,
      minimumCalls: 3,
      windowMs: 1_000,
      openMs: 1_000,
      now: () => now,
    });
    breaker.admit()('failure');
    breaker.admit()('failure');
    now = 2_000;
    breaker.admit()('failure');
    breaker.admit()('success');
    breaker.admit()('success');
    expect(breaker.state()).toBe('closed');
  });
});

describe('circuit breaker window', () => {
  it('opens exactly when a list of every outcome in the window would say so, over thousands of calls', () => {
    const step = fc.record({
      advance: fc.integer({ min: 0, max: 40 }),
      outcome: fc.constantFrom('success', 'failure'),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 3_000 }), (steps) => {
        let now = 0;
        let opened = -1;
        const breaker = createCircuitBreaker({
          source: 's',
          failureRatio: 0.6,
          minimumCalls: 20,
          windowMs: 1_000,
          openMs: 1_000_000,
          now: () => now,
          onStateChange: (_from, to) => void (to === 'open' && opened < 0 && (opened = now)),
        });
        // The reference: every outcome kept, the window filtered at each call, as the breaker once did.
        const kept: Array<{ at: number; failed: boolean }> = [];
        let expected = -1;
        for (const { advance, outcome } of steps) {
          now += advance;
          if (breaker.state() !== 'closed') break;
          breaker.admit()(outcome as 'success' | 'failure');
          kept.push({ at: now, failed: outcome === 'failure' });
          const inWindow = kept.filter((entry) => entry.at > now - 1_000);
          const failures = inWindow.filter((entry) => entry.failed).length;
          if (expected < 0 && inWindow.length >= 20 && failures / inWindow.length >= 0.6) expected = now;
        }
        expect(opened).toBe(expected);
      }),
      { numRuns: 60 },
    );
  });
});

describe('rate-limit headers', () => {
  const now = Date.UTC(2026, 0, 1);
  it.each([
    [
      { 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '7', 'x-ratelimit-reset': '30' },
      { remaining: 7, resetInMs: 30_000, limit: 60 },
    ],
    [
      { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 12) },
      { remaining: 0, resetInMs: 12_000, limit: undefined },
    ],
    [
      { 'ratelimit-limit': '100', 'ratelimit-remaining': '50', 'ratelimit-reset': '5' },
      { remaining: 50, resetInMs: 5_000, limit: 100 },
    ],
    [{ ratelimit: 'limit=100, remaining=3, reset=9' }, { remaining: 3, resetInMs: 9_000, limit: 100 }],
    [
      { ratelimit: '"default";r=4;t=20', 'ratelimit-policy': '"default";q=100;w=60' },
      { remaining: 4, resetInMs: 20_000, limit: 100 },
    ],
  ])('reads %j', (headers, reading) => {
    expect(readRateLimit(headers, now)).toEqual(reading);
  });

  it('reads nothing from absent or garbled headers', () => {
    expect(readRateLimit({}, now)).toBeUndefined();
    expect(readRateLimit({ 'x-ratelimit-remaining': 'lots', 'x-ratelimit-reset': '1' }, now)).toBeUndefined();
  });
});
