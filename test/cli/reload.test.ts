/**
 * `graftql serve --watch` and SIGHUP, as an operator uses them: a real
 * process over a config and a schema folder of its own, the files edited
 * while it serves. A broken schema is refused with its place and the
 * running graph keeps answering.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL } from '../helpers/gateway.ts';
import { type GatewayProcess, servingUrl, spawnCli } from '../helpers/process.ts';

let upstream: Server;
let upstreamUrl: string;
const dirs: string[] = [];

beforeAll(async () => {
  // Answers the path it was asked: which schema and config asked shows in the answer.
  upstream = createServer((req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value: req.url })),
  );
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A project: graftql.config.mjs (the source's URL under `prefix`) and schema/things.graphql (`hello` reads `path`). */
function project() {
  const dir = mkdtempSync(join(tmpdir(), 'graftql-reload-'));
  dirs.push(dir);
  mkdirSync(join(dir, 'schema'));
  const config = (prefix: string) =>
    writeFileSync(
      join(dir, 'graftql.config.mjs'),
      `export default { sources: { up: { url: '${upstreamUrl}${prefix}', cache: { enabled: false } } } };\n`,
    );
  const schema = (body: string) => writeFileSync(join(dir, 'schema', 'things.graphql'), body);
  config('/a');
  schema('type Query { hello: String @rest(source: "up", path: "/one", selection: "value") }\n');
  return { dir, config, schema };
}

/** Asks `{ hello }` until the answer is `expected` (the reload is the process's to make): at most a few seconds. */
async function answers(url: string, expected: string): Promise<string | undefined> {
  let last: unknown;
  for (let tries = 0; tries < 100; tries++) {
    last = (await postGraphQL(url, { query: '{ hello }' })).body.data?.hello;
    if (last === expected) return expected;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return String(last);
}

async function serving(args: string[], dir: string): Promise<{ gateway: GatewayProcess; url: string }> {
  const gateway = spawnCli(
    ['serve', '--config', join(dir, 'graftql.config.mjs'), '--port', '0', '--host', '127.0.0.1', ...args],
    { LOG_LEVEL: 'info' },
  );
  return { gateway, url: await servingUrl(gateway) };
}

describe('graftql serve, reloading', () => {
  it('--watch: an edited schema serves at once; a broken one is refused with its place, and the last good one keeps serving', async () => {
    const { dir, schema } = project();
    const { gateway, url } = await serving(['--watch'], dir);
    try {
      expect(await answers(url, '/a/one')).toBe('/a/one');
      schema('type Query { hello: String @rest(source: "up", path: "/two", selection: "value") }\n');
      expect(await answers(url, '/a/two')).toBe('/a/two');
      schema('type Query {\n  hello: String @rest(source: "nowhere", path: "/three")\n}\n');
      for (let tries = 0; tries < 100 && !gateway.output().includes('reload failed'); tries++)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(gateway.output()).toMatch(/"msg":"reload failed: the running graph keeps serving"/);
      expect(gateway.output()).toMatch(/things\.graphql:2:\d+: .*nowhere/);
      expect((await postGraphQL(url, { query: '{ hello }' })).body.data).toEqual({ hello: '/a/two' });
      const ready = (await (await fetch(url.replace('/graphql', '/readyz'))).json()) as { warnings: string[] };
      expect(ready.warnings.join('\n')).toContain('still serves');
    } finally {
      gateway.child.kill('SIGTERM');
      expect(await gateway.exited).toBe(0);
    }
  });

  it('--workers 2: SIGHUP to the primary reloads every worker', async () => {
    const { dir, schema } = project();
    const { gateway, url } = await serving(['--workers', '2'], dir);
    try {
      expect(await answers(url, '/a/one')).toBe('/a/one');
      schema('type Query { hello: String @rest(source: "up", path: "/five", selection: "value") }\n');
      gateway.child.kill('SIGHUP');
      for (let tries = 0; tries < 100 && (gateway.output().match(/"msg":"graph reloaded"/g) ?? []).length < 2; tries++)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect((gateway.output().match(/"msg":"graph reloaded"/g) ?? []).length).toBe(2);
      // Both workers answer from the new graph, whichever takes each connection.
      for (let ask = 0; ask < 10; ask++)
        expect((await postGraphQL(url, { query: '{ hello }' }, { connection: 'close' })).body.data).toEqual({
          hello: '/a/five',
        });
    } finally {
      gateway.child.kill('SIGTERM');
      expect(await gateway.exited).toBe(0);
    }
  });

  it('SIGHUP: reads the config file and the schema again', async () => {
    const { dir, config, schema } = project();
    const { gateway, url } = await serving([], dir);
    try {
      expect(await answers(url, '/a/one')).toBe('/a/one');
      config('/b');
      schema('type Query { hello: String @rest(source: "up", path: "/four", selection: "value") }\n');
      // Not watched: nothing changes until the signal.
      expect((await postGraphQL(url, { query: '{ hello }' })).body.data).toEqual({ hello: '/a/one' });
      gateway.child.kill('SIGHUP');
      expect(await answers(url, '/b/four')).toBe('/b/four');
      expect(gateway.output()).toMatch(/"version":2,"kept":\[\],.*"msg":"graph reloaded"/);
    } finally {
      gateway.child.kill('SIGTERM');
      expect(await gateway.exited).toBe(0);
    }
  });
});
