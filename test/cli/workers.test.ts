/**
 * `graftql serve --workers 2`, as a user runs it: a real primary process
 * and its two workers over a real local service. Every worker answers; GET
 * /metrics and GET /status answer for both, whichever was asked; a worker
 * that dies is replaced; SIGTERM drains them all; a worker that cannot
 * start stops the gateway instead of being started again and again.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayProcess, servingUrl, spawnCli } from '../helpers/process.ts';

const SDL =
  'type Query { item(id: ID!): Item @rest(source: "api", path: "/items/{$args.id}") }\ntype Item { id: ID! name: String! }\n';

let service: Server;
let calls = 0;

/** A project folder with the graph and a config over the service (its cache off: every request is a call). */
function project(sdl = SDL): string {
  const dir = mkdtempSync(join(tmpdir(), 'graftql-workers-'));
  writeFileSync(join(dir, 'api.graphql'), sdl);
  const url = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
  writeFileSync(
    join(dir, 'graftql.config.mjs'),
    `export default { schema: '.', sources: { api: { url: '${url}', cache: { enabled: false } } } };\n`,
  );
  return join(dir, 'graftql.config.mjs');
}

/** A GET or POST on a connection of its own: the kernel hands each new connection to the next worker. */
function send(url: string, body?: object): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: body ? 'POST' : 'GET',
        headers: { connection: 'close', ...(body && { 'content-type': 'application/json' }) },
        agent: false,
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body && JSON.stringify(body));
  });
}

const ask = async (url: string, id: number) =>
  JSON.parse((await send(url, { query: `{ item(id: "${id}") { name } }` })).text) as unknown;

/** Waits until the output has `pattern` (the gateway logs as it goes). */
async function logged(gateway: GatewayProcess, pattern: RegExp): Promise<RegExpExecArray> {
  for (let waited = 0; waited < 15_000; waited += 50) {
    const match = pattern.exec(gateway.output());
    if (match) return match;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`never logged ${pattern}:\n${gateway.output()}`);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  service = createServer((req, res) => {
    calls++;
    const id = (req.url ?? '').split('/').at(-1);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id, name: `item ${id}` }));
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
});
afterAll(() => new Promise((resolve) => service?.close(resolve)));

describe('graftql serve --workers', () => {
  it('serves from every worker, answers /metrics and /status for all of them, replaces a dead worker, drains on SIGTERM', {
    timeout: 60_000,
  }, async () => {
    const gateway = spawnCli(['serve', '--config', project(), '--workers', '2', '--port', '0'], { LOG_LEVEL: 'info' });
    try {
      const url = await servingUrl(gateway, 30_000);
      const [, pidList = ''] = await logged(gateway, /"workers":2,"pids":\[(\d+,\d+)\]/);
      const pids = pidList.split(',').map(Number);
      calls = 0;
      for (let id = 1; id <= 6; id++) expect(await ask(url, id)).toEqual({ data: { item: { name: `item ${id}` } } });
      expect(calls).toBe(6);

      // Asked twice on new connections, two workers answer: each with both workers' requests.
      const root = url.replace(/\/graphql$/, '');
      for (let asked = 0; asked < 2; asked++) {
        const metrics = (await send(`${root}/metrics`)).text;
        expect(metrics).toMatch(/^graftql_requests_total\{operation="anonymous",type="query"\} 6$/m);
        const status = (await send(`${root}/status`)).text;
        expect(status).toMatch(/<tr data-source="api">.*<td data-field="calls">6<\/td>/);
      }

      process.kill(pids[0] as number, 'SIGKILL');
      await logged(gateway, /a worker stopped; starting another/);
      await logged(gateway, /a replacement worker is serving/);
      for (let id = 7; id <= 10; id++) expect(await ask(url, id)).toEqual({ data: { item: { name: `item ${id}` } } });

      gateway.child.kill('SIGTERM');
      expect(await gateway.exited).toBe(0);
      expect(gateway.output()).toMatch(/"msg":"stopped"/);
      expect(pids.filter(alive)).toEqual([]);
    } finally {
      if (gateway.child.exitCode === null) gateway.child.kill('SIGKILL');
    }
  });

  it('starts a replacement again, a second later, when it dies before it serves; the gateway stays up', {
    timeout: 60_000,
  }, async () => {
    const config = project();
    const gateway = spawnCli(['serve', '--config', config, '--workers', '2', '--port', '0'], { LOG_LEVEL: 'info' });
    try {
      const url = await servingUrl(gateway, 30_000);
      const [, pid = ''] = await logged(gateway, /"workers":2,"pids":\[(\d+),\d+\]/);
      // The graph breaks under the running workers: the next worker to start cannot.
      writeFileSync(
        join(dirname(config), 'api.graphql'),
        'type Query { item: Item @rest(source: "nowhere", path: "/x") }',
      );
      process.kill(Number(pid), 'SIGKILL');
      await logged(gateway, /a replacement worker stopped before it could serve; another in a second/);
      expect(await ask(url, 1)).toEqual({ data: { item: { name: 'item 1' } } });
      writeFileSync(join(dirname(config), 'api.graphql'), SDL);
      await logged(gateway, /a replacement worker is serving/);
      expect(gateway.child.exitCode).toBeNull();
      gateway.child.kill('SIGTERM');
      expect(await gateway.exited).toBe(0);
    } finally {
      if (gateway.child.exitCode === null) gateway.child.kill('SIGKILL');
    }
  });

  it('stops, with the reason, when a worker cannot start (a graph that does not compile)', {
    timeout: 30_000,
  }, async () => {
    const broken = project(
      'type Query { item: Item @rest(source: "nowhere", path: "/item") }\ntype Item { id: ID! }\n',
    );
    const gateway = spawnCli(['serve', '--config', broken, '--workers', '2', '--port', '0']);
    expect(await gateway.exited).toBe(1);
    expect(gateway.output()).toContain('source "nowhere"');
    expect(gateway.output()).toContain('a worker stopped before it could serve');
  });

  it('refuses a worker count that is no number', async () => {
    const gateway = spawnCli(['serve', '--workers', 'many']);
    expect(await gateway.exited).toBe(2);
    expect(gateway.output()).toContain('--workers: a number of processes, or auto, got "many".');
  });
});
