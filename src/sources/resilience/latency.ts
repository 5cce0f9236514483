/**
 * A source's recent attempt durations, and a percentile of them: the delay
 * after which a hedged call sends its backup. A ring of the last 256
 * samples; the percentile is recomputed every 16 samples, not per call.
 */
const SAMPLES = 256;
const RECOMPUTE_EVERY = 16;
/** Fewer samples than this say nothing yet. */
export const MIN_SAMPLES = 20;

export interface LatencyWindow {
  record(ms: number): void;
  /** The percentile (0–100) of the recent samples, or undefined while there are fewer than MIN_SAMPLES. */
  percentile(): number | undefined;
}

export function latencyWindow(percentile: number): LatencyWindow {
  const ring = new Float64Array(SAMPLES);
  let count = 0;
  let cached: number | undefined;
  return {
    record(ms) {
      ring[count % SAMPLES] = ms;
      count += 1;
      if (count >= MIN_SAMPLES && (cached === undefined || count % RECOMPUTE_EVERY === 0)) {
        cached = nearestRank(ring.slice(0, Math.min(count, SAMPLES)).sort(), percentile / 100);
      }
    },
    percentile: () => cached,
  };
}

/** The nearest-rank percentile (`fraction` of 1) of sorted values. */
export function nearestRank(sorted: ArrayLike<number>, fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] ?? 0;
}
