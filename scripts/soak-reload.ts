/**
 * `npm run soak:reload` (not part of `npm test`; about 35 s): hot reload
 * as an operator would run it. `graftql serve` in a process of its own,
 * over a project in a temporary folder and a REST service in this one;
 * autocannon (20 connections) asks `{ a b }` for SECONDS (default 30) while,
 * every second, the schema file is rewritten to the next version and the
 * gateway is sent SIGHUP. Version n maps both fields to `/v<n>/...`, and the
 * service answers n: an answer whose `a` and `b` differ came from two
 * versions. Prints a table; exits 1 on any dropped request, non-2xx, error
 * or mixed answer, or a reload that did not happen.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

const SECONDS = Number(process.env.SECONDS ?? 30);
const CONNECTIONS = 20;

const service = createServer((req, res) => {
  const version = /^\/v(\d+)\//.exec(req.url ?? '')?.[1] ?? '?';
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ value: version }));
});
await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
const serviceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;

const dir = mkdtempSync(join(tmpdir(), 'graftql-soak-reload-'));
mkdirSync(join(dir, 'schema'));
writeFileSync(
  join(dir, 'graftql.config.mjs'),
  `export default { server: { production: true }, sources: { up: { url: '${serviceUrl}', cache: { enabled: false } } } };\n`,
);
const writeVersion = (n: number) =>
  writeFileSync(
    join(dir, 'schema', 'things.graphql'),
    `type Query {\n  a: String @rest(source: "up", path: "/v${n}/a", selection: "value")\n  b: String @rest(source: "up", path: "/v${n}/b", selection: "value")\n}\n`,
  );
writeVersion(1);

const child = spawn(
  process.execPath,
  ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--config', join(dir, 'graftql.config.mjs'), '--port', '0'],
  { env: { ...process.env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'inherit'] },
);
let log = '';
child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
let url: string | undefined;
for (let tries = 0; tries < 300 && !url; tries++) {
  url = /"url":"(http:\/\/[^"]+\/graphql)"/.exec(log)?.[1];
  if (!url) await new Promise((resolve) => setTimeout(resolve, 50));
}
if (!url) throw new Error(`the gateway did not start:\n${log}`);

const counts = { answers: 0, mixed: 0, withErrors: 0 };
const versions = new Set<string>();
let version = 1;
const reloads = setInterval(() => {
  version += 1;
  writeVersion(version);
  child.kill('SIGHUP');
}, 1_000);
const result = await autocannon({
  url,
  connections: CONNECTIONS,
  duration: SECONDS,
  requests: [
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ a b }' }),
      onResponse: (status, body) => {
        counts.answers += 1;
        const answer = JSON.parse(body) as { data?: { a: string; b: string }; errors?: unknown };
        if (status !== 200 || answer.errors || !answer.data) counts.withErrors += 1;
        else if (answer.data.a !== answer.data.b) counts.mixed += 1;
        else versions.add(answer.data.a);
      },
    },
  ],
});
clearInterval(reloads);
const reloaded = (log.match(/"msg":"graph reloaded"/g) ?? []).length;
const failedReloads = (log.match(/"msg":"reload failed/g) ?? []).length;
child.kill('SIGTERM');
await new Promise((resolve) => child.once('exit', resolve));
service.close();
rmSync(dir, { recursive: true, force: true });

const rows = [
  ['seconds under load', String(SECONDS)],
  ['reloads asked (SIGHUP, one a second)', String(version - 1)],
  ['graph versions swapped in', String(reloaded)],
  ['reloads refused', String(failedReloads)],
  ['requests answered', result.requests.total.toLocaleString('en')],
  ['requests/s (mean)', Math.round(result.requests.average).toLocaleString('en')],
  ['non-2xx', String(result.non2xx)],
  ['connection errors and timeouts', String(result.errors + result.timeouts)],
  ['answers with errors', String(counts.withErrors)],
  ['answers mixing two versions', String(counts.mixed)],
  ['distinct versions seen in answers', String(versions.size)],
];
console.log(`# Hot reload under load, ${new Date().toISOString().slice(0, 16)} (Node ${process.version})\n`);
console.log('| | |\n|---|---|');
for (const [name, value] of rows) console.log(`| ${name} | ${value} |`);
const ok =
  result.non2xx === 0 &&
  result.errors + result.timeouts === 0 &&
  counts.withErrors === 0 &&
  counts.mixed === 0 &&
  failedReloads === 0 &&
  reloaded >= version - 2;
if (!ok) {
  console.error('\nFAILED');
  process.exit(1);
}
