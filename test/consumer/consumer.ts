// A strict TypeScript consumer (moduleResolution nodenext): type-checked, not run.
import { createServer } from 'node:http';
import {
  createGateway,
  defineConfig,
  type GatewayConfig,
  type GatewayContext,
  GraftError,
  listen,
  resolveConfig,
} from 'graftql';

const config: GatewayConfig = defineConfig({
  sources: { api: { url: 'http://127.0.0.1:1', timeouts: { attemptMs: 1_000 } } },
  limits: { maxDepth: 10 },
});
const secret = (_parent: unknown, _args: Record<string, never>, context: GatewayContext): string => {
  if (!context.header('authorization')) throw new GraftError('UNAUTHENTICATED', 'Sign in first.');
  return 'ok';
};
const gateway = createGateway({ ...config, resolvers: { Query: { secret } } });
createServer(gateway.listener).listen(0);
const running = await listen(gateway, resolveConfig(config));
const url: string = running.url;
await running.shutdown();
console.log(url);
