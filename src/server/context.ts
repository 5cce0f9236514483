import type { YogaInitialContext } from 'graphql-yoga';
import type { Loaders } from '../loaders/create-loaders.ts';
import type { Logger } from '../observability/logger.ts';
import type { GraphSources } from '../resolvers/graph-sources.ts';
import type { StaleNotice } from '../sources/request-sources.ts';

/** What the gateway adds to Yoga's context, built fresh for each GraphQL request. */
export interface RequestContext {
  /** From a well-formed `X-Request-Id` header, else generated; echoed in the response and in upstream errors. */
  requestId: string;
  sources: GraphSources;
  loaders: Loaders;
  logger: Logger;
  /** Cached answers that stood in for failing sources during this request. */
  staleNotices: StaleNotice[];
}

/** What every resolver receives. */
export type GatewayContext = YogaInitialContext & RequestContext;
