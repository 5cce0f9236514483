/** A source client bound as a resolver would see it, outside any gateway: for loader and client tests. */
import { Writable } from 'node:stream';
import { createResponseCache } from '../../src/cache/response-cache.ts';
import { resolveConfig } from '../../src/config/resolve-config.ts';
import { RequestLedger } from '../../src/core/request-ledger.ts';
import { type BoundSource, bindSource } from '../../src/sources/request-sources.ts';
import { createSourceClient } from '../../src/sources/source-client.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import type { Backends } from './backends.ts';
import { configFor, type TestGatewayOptions } from './gateway.ts';

export function boundSource(
  backends: Backends,
  name: 'accounts' | 'content' | 'comments' | 'weather',
  options: TestGatewayOptions = {},
): BoundSource & { close(): Promise<void> } {
  const config = resolveConfig(configFor(options), { ...backends.env, ...options.env });
  const logger = createLogger({
    level: 'silent',
    destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
  });
  const client = createSourceClient(name, config.sources[name]!, {
    logger,
    cache: createResponseCache(config.cache),
    now: options.now,
  });
  return { ...bindSource(client, {}, new RequestLedger()), close: () => client.close() };
}
