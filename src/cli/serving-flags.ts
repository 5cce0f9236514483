/**
 * The two V8 settings `graftql serve` changes for its own process, both for
 * peak memory; embedders tune their own process, and a flag given on the
 * command line (or in NODE_OPTIONS) wins over ours. Measured under the
 * benchmark's q1 load (bench/results/2026-11-26-memory-flags.md).
 *
 * - `--heap-growing-percent=50`: how far the old generation may grow past
 *   what the last mark-compact left alive. V8 picks up to 4x on a machine
 *   with memory to spare, which suits programs that build up a large heap; a
 *   gateway keeps little alive and promotes its in-flight requests' state,
 *   so its heap grew far past what it keeps between mark-compacts. 1.5x
 *   holds peak RSS down for every query at a few percent of throughput
 *   (mark-compacts twice as often; the figures are in the results above).
 * - `--liftoff-only`: undici parses HTTP with llhttp compiled to
 *   WebAssembly. V8 first compiles it with its baseline compiler, then, on
 *   the first calls, again with TurboFan in the background; that one compile
 *   of llhttp's single huge state-machine function is the process's highest
 *   point of memory. The baseline code parses a few percent slower in a loop
 *   that does nothing but upstream calls; a gateway spends its time
 *   elsewhere.
 */
import { setFlagsFromString } from 'node:v8';

export const SERVING_FLAGS = { 'heap-growing-percent': '50', 'liftoff-only': undefined } as const;

/** The flags of SERVING_FLAGS that neither `execArgv` nor NODE_OPTIONS sets (in either spelling, or negated). */
export function servingFlags(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions = process.env.NODE_OPTIONS ?? '',
): string[] {
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
