export { type Backends, type Service, seed, startBackends } from '../../examples/backends/index.ts';

import type { RecordedRequest } from '../../examples/backends/index.ts';

/** Recorded requests whose raw URL starts with `prefix` (query included). */
export function callsTo(requests: readonly RecordedRequest[], prefix: string): RecordedRequest[] {
  return requests.filter((request) => request.url.startsWith(prefix));
}
