/**
 * The attempt of an idempotent call and its hedged backups
 * (resilience/hedging.ts): a backup is sent when the attempt has gone
 * unanswered longer than the source's recent latency percentile.
 */
import type { LoadedResponse } from '../../cache/response-cache.ts';
import { type AttemptCall, attempt } from '../attempt.ts';
import { hedge } from '../resilience/hedging.ts';
import { errorForTransport } from '../upstream-errors.ts';
import { admit } from './admission.ts';
import { countsAgainstSource, type SourceRuntime } from './source-runtime.ts';

/** One attempt; its duration, when it succeeds, joins the source's recent latency. */
export function timedAttempt(source: SourceRuntime, call: AttemptCall, signal?: AbortSignal): Promise<LoadedResponse> {
  const started = performance.now();
  return attempt(source.attempts, call, signal).then((loaded) => {
    source.latency.record(performance.now() - started);
    return loaded;
  });
}

/** How long an attempt may go unanswered before a backup is sent. */
function hedgeDelayMs(source: SourceRuntime): number {
  const { delayMs, minDelayMs, maxDelayMs } = source.config.hedge;
  return delayMs ?? Math.min(maxDelayMs, Math.max(minDelayMs, source.latency.percentile() ?? maxDelayMs));
}

/** The attempt and its backups; each backup is admitted as any call is. */
export async function hedgedAttempt(source: SourceRuntime, call: AttemptCall): Promise<LoadedResponse> {
  const { value, byBackup } = await hedge({
    first: (signal) => timedAttempt(source, call, signal),
    backup: () => backupAttempt(source, call),
    maxBackups: source.config.hedge.maxBackups,
    delayMs: () => hedgeDelayMs(source),
    schedule: source.schedule,
  });
  if (byBackup) {
    source.hedges.won += 1;
    source.observer.hedge(source.name, 'won');
  }
  return value;
}

/**
 * A backup attempt, or undefined when something refuses it. Backups are
 * the gateway's choice, not the query's: they never spend the operation's
 * call budget (which counts the calls the query asks for, as `graftql
 * check` estimates them, so a query it accepts never loses a field to a
 * backup). They are bounded apart: by the source's retry budget (a share of
 * its calls), `hedge.maxBackups` per call, the breaker and pacing, and they
 * are sent only while a connection to the source is free, since an attempt
 * that has not answered may only be waiting for one, and a backup would
 * wait behind it (the cold-start burst of backups: before 20 attempts are
 * timed the delay is `maxDelayMs`, which a queue for connections outlasts).
 */
async function backupAttempt(
  source: SourceRuntime,
  call: AttemptCall,
): Promise<((signal: AbortSignal) => Promise<LoadedResponse>) | undefined> {
  const { config, retryBudget, observer, name } = source;
  const { upstream, origin, deadline, pacingKey } = call;
  if (source.inFlight >= config.connections || !retryBudget.tryRetry()) return undefined;
  let report: Awaited<ReturnType<typeof admit>>;
  try {
    report = await admit(source, pacingKey, deadline, config.connections);
  } catch {
    return undefined; // the breaker is open, or pacing cannot wait within the deadline
  }
  if (report === 'shed') return undefined;
  source.hedges.sent += 1;
  observer.hedge(name, 'sent');
  source.log.debug(
    { requestId: origin.requestId, path: upstream.path, afterMs: hedgeDelayMs(source) },
    'hedging upstream call',
  );
  return async (signal) => {
    source.inFlight += 1;
    retryBudget.recordCall();
    try {
      const loaded = await timedAttempt(source, call, signal);
      report?.('success');
      return loaded;
    } catch (error) {
      report?.(
        signal.aborted || !countsAgainstSource(errorForTransport(origin, error, 'connect')) ? 'neutral' : 'failure',
      );
      throw error;
    } finally {
      source.inFlight -= 1;
    }
  };
}
