/**
 * Each source's last minute, for the status page: calls and failures per
 * second over 60 seconds, and the latency of recent attempts (the last 1,024
 * within the minute) for p50/p99. Prometheus keeps the long view; this is
 * what a person looking at one gateway wants to see now.
 */
import { nearestRank } from '../sources/resilience/latency.ts';
import { IGNORE_SOURCE_EVENTS, type SourceObserver } from '../telemetry/observer.ts';

const WINDOW_SECONDS = 60;
const LATENCY_SAMPLES = 1_024;

export interface SourceMinute {
  calls: number;
  failures: number;
  /** Of the minute's attempts; undefined with none. */
  p50Ms?: number;
  p99Ms?: number;
}

export interface SourceActivity {
  observer: SourceObserver;
  lastMinute(source: string): SourceMinute;
}

interface Window {
  /** Per second, by `second % WINDOW_SECONDS`: which second the slot holds, and its counts. */
  seconds: Int32Array;
  calls: Int32Array;
  failures: Int32Array;
  /** A ring of recent attempts: when (ms) and how long (ms). */
  at: Float64Array;
  ms: Float64Array;
  next: number;
}

export function createSourceActivity(now: () => number = Date.now): SourceActivity {
  const windows = new Map<string, Window>();
  const windowOf = (source: string): Window => {
    let window = windows.get(source);
    if (!window) {
      window = {
        seconds: new Int32Array(WINDOW_SECONDS).fill(-1),
        calls: new Int32Array(WINDOW_SECONDS),
        failures: new Int32Array(WINDOW_SECONDS),
        at: new Float64Array(LATENCY_SAMPLES).fill(Number.NEGATIVE_INFINITY),
        ms: new Float64Array(LATENCY_SAMPLES),
        next: 0,
      };
      windows.set(source, window);
    }
    return window;
  };

  return {
    observer: {
      ...IGNORE_SOURCE_EVENTS,
      attempt({ source, outcome, attemptMs }) {
        if (outcome === 'cancelled') return;
        const window = windowOf(source);
        const at = now();
        const second = Math.floor(at / 1000);
        const slot = second % WINDOW_SECONDS;
        if (window.seconds[slot] !== second) {
          window.seconds[slot] = second;
          window.calls[slot] = 0;
          window.failures[slot] = 0;
        }
        window.calls[slot] = (window.calls[slot] ?? 0) + 1;
        if (outcome !== 'success') window.failures[slot] = (window.failures[slot] ?? 0) + 1;
        window.at[window.next] = at;
        window.ms[window.next] = attemptMs;
        window.next = (window.next + 1) % LATENCY_SAMPLES;
      },
    },

    lastMinute(source) {
      const window = windows.get(source);
      if (!window) return { calls: 0, failures: 0 };
      const at = now();
      const oldest = Math.floor(at / 1000) - WINDOW_SECONDS + 1;
      let calls = 0;
      let failures = 0;
      for (let slot = 0; slot < WINDOW_SECONDS; slot++) {
        if ((window.seconds[slot] ?? -1) < oldest) continue;
        calls += window.calls[slot] ?? 0;
        failures += window.failures[slot] ?? 0;
      }
      const recent: number[] = [];
      for (let i = 0; i < LATENCY_SAMPLES; i++)
        if ((window.at[i] ?? 0) > at - WINDOW_SECONDS * 1000) recent.push(window.ms[i] ?? 0);
      recent.sort((a, b) => a - b);
      return {
        calls,
        failures,
        ...(recent.length > 0 && { p50Ms: nearestRank(recent, 0.5), p99Ms: nearestRank(recent, 0.99) }),
      };
    },
  };
}
