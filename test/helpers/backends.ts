export { type Backends, type Service, seed, startBackends } from '../../examples/backends/index.ts';

import type { Backends, RecordedRequest } from '../../examples/backends/index.ts';

/** Recorded requests whose raw URL starts with `prefix` (query included). */
export function callsTo(requests: readonly RecordedRequest[], prefix: string): RecordedRequest[] {
  return requests.filter((request) => request.url.startsWith(prefix));
}

/** Every example service back to normal: no faults, no latency, no records, weather's own rate limit. */
export function resetBackends(backends: Backends): void {
  backends.weather.setRateLimit(600, 60_000);
  for (const service of [backends.accounts, backends.content, backends.comments, backends.weather]) {
    service.clearFaults();
    service.clearRecords();
    service.setLatency(0);
  }
}
