/**
 * GraftQL's public surface, grouped by who uses it. Nothing else is public:
 * a path into src/ is not an API.
 */

// A gateway: configure it, build it, serve it or mount it in your own server.
export { defineConfig } from './config/define-config.ts';
export { ConfigError, resolveConfig } from './config/resolve-config.ts';
export type { GatewayConfig, ResolvedConfig, SourceConfig } from './config/config-schema.ts';
export { createGateway, type Gateway, type GatewayOptions } from './server/create-gateway.ts';
export { listen, type RunningGateway } from './server/listen.ts';
export {
  type BuildGateway,
  type ReloadingGateway,
  type ReloadOutcome,
  type ServedGateway,
  startReloading,
} from './server/reloader.ts';
export type { Carryover } from './server/gateway-runtime.ts';
export { startWorkerPool, type WorkerPool, type WorkerPoolOptions } from './server/worker-pool.ts';
export { type ClusterView, workerClusterView } from './observability/cluster-view.ts';
export { createLogger, type Logger } from './telemetry/logger.ts';

// A graph: its SDL files (mapping directives and all), hand-written resolvers and loaders; checked and printed as the gateway serves it.
export { type Graph, graphOf, printGraph } from './server/graph.ts';
export { type CheckReport, checkGraph } from './server/check.ts';
export { type Diagnostic, GraphError } from './mapping/diagnostics.ts';
export { GATEWAY_DIRECTIVES_SDL } from './mapping/sdl.ts';

// Hand-written resolvers: what they receive, and the building blocks declared fields are made of.
export type { GatewayContext } from './mapping/gateway-context.ts';
export type { BoundSource } from './sources/request-sources.ts';
export type { HedgeStats } from './sources/source-client.ts';
export type { UpstreamRequest } from './sources/upstream-request.ts';
export { path } from './core/upstream-path.ts';
export {
  type BatchEndpoint,
  type BatchStyle,
  batchLoader,
  groupLoader,
  singleLoader,
} from './loaders/batch-loaders.ts';
export { type Connection, type ConnectionArgs, connection, toSlice } from './pagination/connection.ts';
export { indexConnection, offsetRanges, pageRanges, type RangeFetcher } from './pagination/index-adapter.ts';
export { chainedConnection, firstPageFromBatch, type LinkedPageFetcher } from './pagination/chained-adapter.ts';
export { linkHeaderPages } from './pagination/linked-pages.ts';
export type { CursorCodec, CursorScope } from './pagination/cursor.ts';
export type { UploadedFile } from './uploads/uploaded-file.ts';
export type { EventFilter, EventHub, SourceEvent } from './events/event-hub.ts';

// Errors clients can see.
export { badUserInput, ERROR_CODES, type ErrorCode, GraftError, notFound } from './errors.ts';
