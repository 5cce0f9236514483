/**
 * One log line per GraphQL request: what it was, how it ended, what it cost
 * upstream. Info when it went well or the client's own request was refused;
 * warn when a source or a gateway limit failed it; error for a fault of the
 * gateway itself. No header, variable or document text is logged: the
 * operation's name is the only part of the request that is.
 */
import { SERVING_FAILURES } from '../errors.ts';
import type { Logger } from '../telemetry/logger.ts';
import type { RequestObserver, RequestReport } from '../telemetry/observer.ts';

/** A GraphQL name is at most this long in a log line. */
const MAX_NAME = 100;

export function levelOf({ status, codes }: Pick<RequestReport, 'status' | 'codes'>): 'info' | 'warn' | 'error' {
  if (status >= 500 || codes.includes('INTERNAL_SERVER_ERROR')) return 'error';
  return codes.some((code) => SERVING_FAILURES.has(code)) ? 'warn' : 'info';
}

export function requestLog(logger: Logger): RequestObserver {
  return (report) => {
    const level = levelOf(report);
    if (!logger.isLevelEnabled(level)) return;
    const {
      requestId,
      operationName,
      operationType,
      durationMs,
      status,
      codes,
      upstreamCalls,
      cacheHits,
      staleAnswers,
      shared,
      fromResultCache,
      subject,
    } = report;
    logger[level](
      {
        requestId,
        operation: operationName?.slice(0, MAX_NAME),
        type: operationType,
        durationMs: Math.round(durationMs * 10) / 10,
        status,
        ...(codes.length > 0 && { codes }),
        upstreamCalls,
        cacheHits,
        ...(staleAnswers > 0 && { staleAnswers }),
        ...(shared && { shared }),
        ...(fromResultCache && { fromResultCache }),
        ...(subject !== undefined && { subject: subject.slice(0, MAX_NAME) }),
      },
      'request',
    );
  };
}
