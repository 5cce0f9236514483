/**
 * The V8 settings `graftql serve` changes for its own process, all for
 * peak memory (the two below, and STARTUP_FLAGS); embedders tune their own process, and a flag given on the
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

/**
 * A flag V8 reads only when it makes the heap: set later, it changes
 * nothing. Node 24's V8 lets the young generation grow to 128 MB (64 MB
 * semi-spaces; Node 20's to 32 MB): q2's peak RSS 286 MB on Node 24, 171 MB
 * with 16 MB semi-spaces, for 6% fewer requests a second (bench/README.md).
 */
export const STARTUP_FLAGS = { 'max-semi-space-size': '16' } as const;

/** Set in the environment of the process `restartWithStartupFlags` started: it is not restarted again. */
const RESTARTED = 'GRAFTQL_STARTUP_FLAGS';

/** The flags of `flags` that neither `execArgv` nor NODE_OPTIONS sets (in either spelling, or negated). */
export function servingFlags(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions = process.env.NODE_OPTIONS ?? '',
  flags: Readonly<Record<string, string | undefined>> = SERVING_FLAGS,
): string[] {
  const given = new Set(
    [...execArgv, ...nodeOptions.split(/\s+/)].map((arg) =>
      arg
        .replace(/^--(no-)?/, '')
        .split('=')[0]
        ?.replaceAll('_', '-'),
    ),
  );
  return Object.entries(flags)
    .filter(([name]) => !given.has(name))
    .map(([name, value]) => (value === undefined ? `--${name}` : `--${name}=${value}`));
}

export function setServingFlags(): void {
  // Read by V8 when it next needs them (at each mark-compact, at each WebAssembly compile), so setting them after start-up takes effect.
  for (const flag of servingFlags()) setFlagsFromString(flag);
}

/**
 * Starts this process again with STARTUP_FLAGS on its command line, where
 * Node can replace its own image (`process.execve`: Node 22.15, 23.11 and
 * later; Node 20 keeps its smaller default): the same process, the same pid,
 * so signals, supervisors and containers see no difference. Returns when
 * there is nothing to do (a flag given, already restarted, or no execve).
 */
export function restartWithStartupFlags(): void {
  const { execve } = process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never };
  if (!execve || process.env[RESTARTED]) return;
  const missing = servingFlags(process.execArgv, process.env.NODE_OPTIONS, STARTUP_FLAGS);
  if (missing.length === 0) return;
  try {
    execve(process.execPath, [process.execPath, ...missing, ...process.execArgv, ...process.argv.slice(1)], {
      ...process.env,
      [RESTARTED]: '1',
    });
  } catch {
    // Not restarted (a sandbox refusing exec): the process serves as it is, with Node's default young generation.
  }
}
