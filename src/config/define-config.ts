import type { GatewayConfig } from './config-schema.ts';

/** Types `graftql.config.ts`; validation happens at start-up in `resolveConfig`. */
export function defineConfig(config: GatewayConfig): GatewayConfig {
  return config;
}
