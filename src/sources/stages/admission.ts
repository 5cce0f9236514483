/**
 * Admission, written once for a call's attempts and a hedge's backups:
 * rate-limit pacing, the circuit breaker (which throws CIRCUIT_OPEN), then
 * the concurrency cap.
 */
import type { Deadline } from '../../core/deadline.ts';
import type { SourceRuntime } from './source-runtime.ts';

/** An admitted attempt's report of how it went (the breaker's, when there is one), or `shed` when none may go now. */
export type Admission = ((outcome: 'success' | 'failure' | 'neutral') => void) | undefined | 'shed';

/**
 * `shed` when `cap` attempts are already in flight. From the breaker on,
 * every path reports an outcome through what it returns: a half-open
 * breaker waits for its probe's.
 */
export async function admit(
  source: SourceRuntime,
  pacingKey: string,
  deadline: Deadline | undefined,
  cap: number,
): Promise<Admission> {
  const { rateLimit } = source.config;
  if (rateLimit.fromHeaders || rateLimit.requestsPerSecond) await paced(source, pacingKey, deadline);
  const report = source.breaker?.admit();
  if (source.inFlight < cap) return report;
  report?.('neutral');
  return 'shed';
}

/** Waits for the source's rate limit, and says how long it waited. */
async function paced(source: SourceRuntime, pacingKey: string, deadline: Deadline | undefined): Promise<void> {
  const started = performance.now();
  await source.pacer.acquire(pacingKey, deadline);
  const waited = performance.now() - started;
  if (waited >= 1) source.observer.paced(source.name, waited);
}
