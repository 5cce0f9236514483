/**
 * Hedged attempts (Envoy's and Finagle's "backup requests"): an attempt, and,
 * each time none has answered after `delayMs()`, a backup beside it, up to
 * `maxBackups`. The first success wins and the others are aborted through
 * their signals (undici then closes their sockets). undici's interceptors
 * retry after a failure; none races a second attempt against a slow one,
 * hence this.
 */
export interface HedgeOptions<T> {
  /** The first attempt. */
  first(signal: AbortSignal): Promise<T>;
  /** A backup attempt, or undefined when something refuses it (budgets, breaker, caps): the attempts out go on alone. */
  backup(): Promise<((signal: AbortSignal) => Promise<T>) | undefined>;
  maxBackups: number;
  delayMs(): number;
  /** Runs `run` after `ms` unless cancelled. */
  schedule(run: () => void, ms: number): () => void;
}

/** The first success and whether a backup gave it; when every attempt fails, the first attempt's failure. */
export async function hedge<T>({
  first,
  backup,
  maxBackups,
  delayMs,
  schedule,
}: HedgeOptions<T>): Promise<{ value: T; byBackup: boolean }> {
  // The attempts still out: only they are aborted at the end (aborting a settled one would cost a DOMException a call).
  const out = new Set<AbortController>();
  let launched = 0;
  const launch = (run: (signal: AbortSignal) => Promise<T>) => {
    const controller = new AbortController();
    out.add(controller);
    const byBackup = ++launched > 1;
    return run(controller.signal).then(
      (value) => {
        out.delete(controller);
        return { value, byBackup };
      },
      (error: unknown) => {
        out.delete(controller);
        throw error;
      },
    );
  };
  const runs = [launch(first)];
  try {
    for (;;) {
      const winner = Promise.any(runs);
      if (runs.length > maxBackups) return await winner;
      let cancel = () => {};
      const outcome = await Promise.race([
        winner.then(
          (won) => ({ won }),
          (error: AggregateError) => ({ error }),
        ),
        new Promise<'late'>((resolve) => {
          cancel = schedule(() => resolve('late'), delayMs());
        }),
      ]);
      cancel();
      if (outcome === 'late') {
        const next = await backup();
        if (!next) return await winner;
        runs.push(launch(next));
        continue;
      }
      if ('error' in outcome) throw outcome.error;
      return outcome.won;
    }
  } catch (error) {
    throw error instanceof AggregateError ? error.errors[0] : error;
  } finally {
    for (const controller of out) controller.abort();
  }
}
