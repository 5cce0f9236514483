/**
 * Identical reads in flight, against a real server on 127.0.0.1: they share
 * one upstream call by default, and each makes its own with the source's
 * `cache.coalesce: false` (what the benchmark's rows with nothing shared
 * measure).
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createResponseCache } from '../../src/cache/response-cache.ts';
import { resolveConfig } from '../../src/config/resolve-config.ts';
import { path } from '../../src/core/upstream-path.ts';
import { createSourceClient, type SourceClient } from '../../src/sources/source-client.ts';
import { createLogger } from '../../src/telemetry/logger.ts';
import { until } from '../helpers/time.ts';

let server: Server;
const held: ServerResponse[] = [];
const clients: SourceClient[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    held.push(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  held.length = 0;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

function client(coalesce?: boolean): SourceClient {
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = resolveConfig({
    schema: 'schema',
    sources: {
      api: { url, hedge: { enabled: false }, cache: { enabled: false, ...(coalesce === false && { coalesce }) } },
    },
  });
  const created = createSourceClient('api', config.sources.api!, {
    logger: createLogger({ level: 'silent' }),
    cache: createResponseCache({ ...config.cache, maxEntries: 10 }),
  });
  clients.push(created);
  return created;
}

/** Three identical reads at once; the calls the server got while all three wait, then their answers. */
async function threeAtOnce(api: SourceClient, callsExpected: number): Promise<unknown[]> {
  const reads = [1, 2, 3].map(() => api.request({ path: path`/things/7` }));
  await until(() => held.length === callsExpected);
  for (const res of held) res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":7}');
  return (await Promise.all(reads)).map((answer) => answer.body);
}

describe('identical reads in flight', () => {
  it('share one call by default', async () => {
    expect(await threeAtOnce(client(), 1)).toEqual([{ id: 7 }, { id: 7 }, { id: 7 }]);
    expect(held).toHaveLength(1);
  });

  it('each make their own with cache.coalesce off', async () => {
    expect(await threeAtOnce(client(false), 3)).toEqual([{ id: 7 }, { id: 7 }, { id: 7 }]);
    expect(held).toHaveLength(3);
  });
});
