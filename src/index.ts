/** GraftQL's public surface. Nothing else is public. */

// Building and configuring a gateway
export { createGateway, type Gateway, type GatewayOptions } from './server/create-gateway.ts';
export { printGraph, type Graph } from './server/graph.ts';
export { defineConfig } from './config/define-config.ts';
export { resolveConfig, ConfigError } from './config/resolve-config.ts';
export type { GatewayConfig, ResolvedConfig, SourceConfig } from './config/config-schema.ts';

// Serving it standalone
export { listen, type RunningGateway } from './server/listen.ts';

// What resolvers receive and call
export type { GatewayContext } from './server/context.ts';
export type { BoundSource } from './sources/request-sources.ts';
export { path } from './sources/url.ts';

// Errors clients can see
export { ERROR_CODES, GraftError, type ErrorCode } from './errors.ts';
