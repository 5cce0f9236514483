/** GraftQL's public surface. Nothing else is public. */

export type { GatewayConfig, ResolvedConfig, SourceConfig } from './config/config-schema.ts';
export { defineConfig } from './config/define-config.ts';
export { ConfigError, resolveConfig } from './config/resolve-config.ts';
// Errors clients can see
export { ERROR_CODES, type ErrorCode, GraftError } from './errors.ts';
// What resolvers receive and call
export type { GatewayContext } from './server/context.ts';
// Building and configuring a gateway
export { createGateway, type Gateway, type GatewayOptions } from './server/create-gateway.ts';
export { type Graph, printGraph } from './server/graph.ts';
// Serving it standalone
export { listen, type RunningGateway } from './server/listen.ts';
export type { BoundSource } from './sources/request-sources.ts';
export { path } from './sources/url.ts';
