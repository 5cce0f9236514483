/**
 * The two V8 settings `graftql serve` changes for its own process, both for
 * peak memory; embedders tune their own process, and a flag given on the
 * command line (or in NODE_OPTIONS) wins over ours. Measured under the
 * benchmark's q1 load (bench/results/2026-11-26-memory-flags.md).
 *
 * - `--heap-growing-percent=50`: how far the old generation may grow past
 *   what the last mark-compact left alive. V8 picks up to 4× on a machine
 *   with memory to spare, which suits programs that build up a large heap; a
 *   gateway keeps ~25 MB alive and promotes its in-flight requests' state,
 *   so the heap grew to 4× (and past 190 MB under q2) between mark-compacts.
 *   1.5× holds peak RSS at ~138 MB for every query, at ~5% of throughput
 *   (mark-compacts twice as often).
 * - `--liftoff-only`: undici parses HTTP with llhttp compiled to
 *   WebAssembly. V8 first compiles it with its baseline compiler, then, on
 *   the first calls, again with TurboFan in the background; that one compile
 *   of llhttp's single huge state-machine function takes ~26 MB for ~40 ms,
 *   the process's highest point. The baseline code parses ~4% slower in a
 *   loop that does nothing but upstream calls; a gateway spends its time
 *   elsewhere.
 */
import { setFlagsFromString } from 'node:v8';

export const SERVING_FLAGS = { 'heap-growing-percent': '50', 'liftoff-only': undefined } as const;

/** The flags of SERVING_FLAGS that neither `execArgv` nor NODE_OPTIONS sets (in either spelling, or negated). */
export function servingFlags(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): string[] {
  const given = new Set(
    [...execArgv, ...nodeOptions.split(/\s+/)].map((arg) =>
      arg
        .replace(/^--(no-)?/, '')
        .split('=')[0]
        ?.replaceAll('_', '-'),
    ),
  );
  return Object.entries(SERVING_FLAGS)
    .filter(([name]) => !given.has(name))
    .map(([name, value]) => (value === undefined ? `--${name}` : `--${name}=${value}`));
}

export function setServingFlags(): void {
  // Read by V8 when it next needs them (at each mark-compact, at each WebAssembly compile), so setting them after start-up takes effect.
  for (const flag of servingFlags()) setFlagsFromString(flag);
}
