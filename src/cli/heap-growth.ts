/**
 * How far V8 lets the old generation grow past what the last mark-compact
 * left alive, for the gateway `graftql serve` runs. V8 chooses up to 4× on a
 * machine with memory to spare, which suits programs that build up a large
 * heap; a gateway keeps ~25 MB alive and turns the rest over with each
 * request, so under load its heap grew to four times its live size between
 * mark-compacts. Twice is enough: under the benchmark's q1 load, peak RSS
 * fell from ~207 to ~152 MB at the same throughput (see the closing note of
 * the package issue and bench/results). A process started with its own
 * `--heap-growing-percent` keeps it; embedders tune their own process.
 */
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 100;

export function limitHeapGrowth(execArgv: readonly string[] = process.execArgv): void {
  if (execArgv.some((arg) => arg.startsWith('--heap-growing-percent') || arg.startsWith('--heap_growing_percent'))) return;
  // Read by V8 at each mark-compact, so setting it after start-up takes effect.
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
