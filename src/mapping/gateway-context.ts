import type { Identity } from '../auth/token-verifier.ts';
import type { StaleNotice } from '../core/request-ledger.ts';
import type { EventHub } from '../events/event-hub.ts';
import type { CursorCodec } from '../pagination/cursor.ts';
import type { BoundSource } from '../sources/request-sources.ts';
import type { Logger } from '../telemetry/logger.ts';

/**
 * What every resolver receives, built fresh for each GraphQL request,
 * whichever transport it came in by. Typed by the graph's own sources and
 * loaders.
 */
export interface GatewayContext<Sources = Readonly<Record<string, BoundSource>>, Loaders = unknown> {
  /** From a well-formed `X-Request-Id` header, else generated; echoed in the response and in upstream errors. */
  readonly requestId: string;
  /** An inbound request header, by lower-case name. */
  header(name: string): string | undefined;
  /** The configured sources, bound to this request (its id, deadline, call budget, forwarded headers). */
  readonly sources: Sources;
  /** The graph's per-request loaders. */
  readonly loaders: Loaders;
  readonly logger: Logger;
  /** Signs and checks connection cursors: `cursors.scope('User.articles', userId)`. */
  readonly cursors: CursorCodec;
  /** The request's deadline, ms since epoch. */
  readonly deadlineAt: number;
  /** Cached answers that stood in for failing sources during this request. */
  readonly staleNotices: StaleNotice[];
  /** The sources' webhook events (what @event subscription fields read; hand-written ones may too). */
  readonly events: EventHub;
  /** Who asked, when the caller's token verified (auth in the config): what `$jwt` templates read. */
  readonly identity?: Identity;
}
