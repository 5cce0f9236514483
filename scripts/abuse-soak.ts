/**
 * `npm run soak:abuse` (not part of `npm test`): healthy traffic at a fixed
 * rate as 50 clients, first alone, then while 20 connections fire the
 * abusive documents (test/helpers/abusive-documents.ts) as fast as the
 * gateway answers, through every transport (JSON POST, application/graphql,
 * form, GET). The gateway is a child process in production mode, as
 * `npm start` runs it, with the per-client rate limit a public endpoint
 * should have (scripts/abuse-soak.config.ts). Two abuse phases:
 * - one abusive client (one token): the rate limit refuses most of its
 *   requests before their bodies are read, the rest reach the pipeline;
 * - an abuser that rotates tokens, so that every document reaches the
 *   pipeline: what the document limits alone cost.
 *
 * The gateway is pinned to one core; the services, the healthy load and
 * (niced, in a process of its own so that it cannot delay the healthy
 * load's own event loop) the abusive load share the other.
 *
 * Passes when the gateway stays up, every abusive request is refused with
 * a catalogued code (none runs), healthy requests all succeed, RSS stays
 * flat over each abuse phase, and, with one abusive client, healthy p99
 * stays within 2× its unloaded value. (A closed-loop flood of requests
 * that each reach the pipeline saturates the one event loop however cheap
 * each refusal is; that phase's latency is reported, not judged.)
 *
 * ABUSE_SECONDS (default 60), BASELINE_SECONDS (default 15),
 * HEALTHY_RATE (requests/s, default 100).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import autocannon from 'autocannon';
import { ERROR_CODES } from '../src/errors.ts';
import { ABUSIVE_DOCUMENTS } from '../test/helpers/abusive-documents.ts';
import { rssGrowthMb, sampleRss } from './memory.ts';

const ABUSE_SECONDS = Number(process.env.ABUSE_SECONDS ?? 60);
const BASELINE_SECONDS = Number(process.env.BASELINE_SECONDS ?? 15);
const HEALTHY_RATE = Number(process.env.HEALTHY_RATE ?? 100);
const WARM_UP_SECONDS = 20;
const ABUSIVE_CONNECTIONS = 20;
/** Two: ten connections released by one timer arrive as a burst and queue behind each other, which would measure the load generator. */
const HEALTHY_CONNECTIONS = 2;
const KNOWN = new Set<string>(ERROR_CODES);
/** Longer GET URLs are refused by the listener (431); they are sent as POSTs only. */
const MAX_GET_QUERY = 12_000;

/** Set when this script runs as the abusive load generator (a child of the soak): 'one' or 'rotating'. */
const ABUSER = process.env.ABUSER as 'one' | 'rotating' | undefined;
const pinned = existsSync('/usr/bin/taskset');
// This process (the healthy load) runs beside the services, off the gateway's core.
if (pinned) execFileSync('taskset', ['-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
const onCore = (core: number, command: string[]): [string, string[]] =>
  pinned ? ['taskset', ['-c', String(core), ...command]] : [command[0]!, command.slice(1)];

if (ABUSER) {
  const counts = await abusiveLoad(process.env.ABUSE_URL!, ABUSE_SECONDS, ABUSER);
  process.stdout.write(JSON.stringify({ ...counts, byCode: [...counts.byCode] }));
  process.exit(0);
}

const HEALTHY =
  'query($id: ID!) { user(id: $id) { name city weather { temperature } articles(first: 3) { edges { node { title comments(first: 2) { totalCount } } } } } }';

// The services in a process of their own: the load generator's CPU must not slow the upstreams down.
const backends = spawn(...onCore(1, [process.execPath, '--import', 'tsx', 'examples/backends/main.ts']), {
  env: {
    ...process.env,
    ACCOUNTS_PORT: '0',
    CONTENT_PORT: '0',
    COMMENTS_PORT: '0',
    WEATHER_PORT: '0',
    PLACEHOLDER_PORT: '0',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const backendEnv = await backendVariables();
const gateway = spawn(...onCore(0, [process.execPath, '--import', 'tsx', 'src/cli/main.ts', 'serve']), {
  env: {
    ...process.env,
    ...backendEnv,
    GRAFTQL_CONFIG: 'scripts/abuse-soak.config.ts',
    PORT: '0',
    LOG_LEVEL: 'info',
    NODE_ENV: 'production',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let output = '';
gateway.stdout?.on('data', (chunk: Buffer) => {
  if (output.length < 8_192) output += chunk.toString();
});
const url = await servingUrl();

interface Phase {
  name: string;
  healthy: autocannon.Result;
  healthyFailures: number;
  abusive?: { requests: number; refused: number; ran: number; uncoded: number; byCode: Map<string, number> };
  rss: number[];
}

const phases: Phase[] = [];
try {
  await healthyLoad(WARM_UP_SECONDS); // not reported: caches fill, V8 optimises, the heap grows to its working size
  phases.push(await phase('healthy alone', BASELINE_SECONDS, undefined));
  phases.push(await phase(`+ ${ABUSIVE_CONNECTIONS} connections of one abusive client`, ABUSE_SECONDS, 'one'));
  phases.push(await phase(`+ ${ABUSIVE_CONNECTIONS} connections, a new token per request`, ABUSE_SECONDS, 'rotating'));
} finally {
  gateway.kill('SIGTERM');
  backends.kill('SIGTERM');
}

const [baseline, oneClient, rotating] = phases as [Phase, Phase, Phase];
const alive = gateway.exitCode === null || gateway.exitCode === 0;
const problems = [
  !alive && `the gateway exited (${gateway.exitCode})`,
  ...phases.map((row) => row.healthyFailures > 0 && `${row.name}: ${row.healthyFailures} healthy requests failed`),
  ...[oneClient, rotating].flatMap((row) => [
    row.abusive!.ran > 0 && `${row.name}: ${row.abusive!.ran} abusive requests ran`,
    row.abusive!.uncoded > 0 &&
      `${row.name}: ${row.abusive!.uncoded} abusive requests refused without a catalogued code`,
    rssGrowthMb(row.rss) > 32 && `${row.name}: RSS grew ${rssGrowthMb(row.rss)} MB`,
  ]),
  oneClient.healthy.latency.p99 > 2 * baseline.healthy.latency.p99 &&
    `healthy p99 ${oneClient.healthy.latency.p99} ms > 2 × ${baseline.healthy.latency.p99} ms with one abusive client`,
].filter(Boolean) as string[];

printReport();
if (problems.length > 0) {
  console.error(`abuse soak failed: ${problems.join('; ')}`);
  process.exit(1);
}
console.log('abuse soak passed');
process.exit(0);

async function phase(name: string, seconds: number, abuser: 'one' | 'rotating' | undefined): Promise<Phase> {
  const { samples: rss, stop } = sampleRss(gateway.pid);
  try {
    const [healthy, abusive] = await Promise.all([
      healthyLoad(seconds),
      abuser ? abusiveProcess(seconds, abuser) : undefined,
    ]);
    return { name, ...healthy, ...(abusive && { abusive }), rss };
  } finally {
    stop();
  }
}

async function healthyLoad(seconds: number): Promise<{ healthy: autocannon.Result; healthyFailures: number }> {
  let turn = 0;
  let failures = 0;
  const healthy = await autocannon({
    url,
    connections: HEALTHY_CONNECTIONS,
    overallRate: HEALTHY_RATE,
    duration: seconds,
    timeout: 12,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => {
          const user = 1 + (turn++ % 50);
          return {
            ...request,
            headers: { ...request.headers, authorization: `Bearer healthy-${user}` },
            body: JSON.stringify({ query: HEALTHY, variables: { id: `User:${user}` } }),
          };
        },
        onResponse: (status, body) => {
          if (status !== 200 || (JSON.parse(body) as { errors?: unknown[] }).errors) failures += 1;
        },
      },
    ],
  });
  return { healthy, healthyFailures: failures + healthy.timeouts + healthy.errors };
}

/** The abusive load, in a niced child process on the services' core. */
async function abusiveProcess(seconds: number, abuser: 'one' | 'rotating'): Promise<NonNullable<Phase['abusive']>> {
  const child = spawn(
    ...onCore(1, ['nice', '-n', '10', process.execPath, '--import', 'tsx', 'scripts/abuse-soak.ts']),
    {
      env: { ...process.env, ABUSER: abuser, ABUSE_URL: url, ABUSE_SECONDS: String(seconds) },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let printed = '';
  child.stdout?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  await new Promise((resolve) => child.once('exit', resolve));
  const counts = JSON.parse(printed) as Omit<NonNullable<Phase['abusive']>, 'byCode'> & {
    byCode: Array<[string, number]>;
  };
  return { ...counts, byCode: new Map(counts.byCode) };
}

async function abusiveLoad(
  url: string,
  seconds: number,
  abuser: 'one' | 'rotating',
): Promise<NonNullable<Phase['abusive']>> {
  const counts = { requests: 0, refused: 0, ran: 0, uncoded: 0, byCode: new Map<string, number>() };
  const path = new URL(url).pathname;
  const viaJson = (query: string) => ({
    method: 'POST' as const,
    path,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  const transports = [
    viaJson,
    (query: string) => ({
      method: 'POST' as const,
      path,
      headers: { 'content-type': 'application/graphql' },
      body: query,
    }),
    (query: string) => ({
      method: 'POST' as const,
      path,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'graphql-require-preflight': '1' },
      body: new URLSearchParams({ query }).toString(),
    }),
    (query: string) =>
      encodeURIComponent(query).length > MAX_GET_QUERY
        ? undefined
        : {
            method: 'GET' as const,
            path: `${path}?query=${encodeURIComponent(query)}`,
            headers: { 'graphql-require-preflight': '1' },
          },
  ];
  // Built once: encoding half-megabyte bodies per request would make the load generator the bottleneck.
  const prepared = transports.flatMap((transport) =>
    ABUSIVE_DOCUMENTS.map(([, query]) => transport(query) ?? viaJson(query)),
  );
  let turn = 0;
  await autocannon({
    url,
    connections: ABUSIVE_CONNECTIONS,
    duration: seconds,
    timeout: 12,
    requests: [
      {
        setupRequest: (request) => {
          const i = turn++;
          const made = prepared[i % prepared.length]!;
          return {
            ...request,
            ...made,
            headers: { ...made.headers, authorization: `Bearer abuser-${abuser === 'one' ? 0 : i}` },
          };
        },
        onResponse: (_status, body) => {
          counts.requests += 1;
          let parsed: { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
          try {
            parsed = JSON.parse(body) as typeof parsed;
          } catch {
            counts.uncoded += 1;
            return;
          }
          if (parsed.data !== undefined || !parsed.errors?.length) counts.ran += 1;
          else counts.refused += 1;
          for (const error of parsed.errors ?? []) {
            const code = error.extensions?.code ?? '?';
            counts.byCode.set(code, (counts.byCode.get(code) ?? 0) + 1);
            if (!KNOWN.has(code)) counts.uncoded += 1;
          }
        },
      },
    ],
  });
  return counts;
}

/** The `NAME=value` lines `npm run examples` prints once its services listen. */
async function backendVariables(): Promise<Record<string, string>> {
  let printed = '';
  backends.stdout?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  for (let i = 0; i < 300; i++) {
    const lines = printed.split('\n').filter((line) => /^[A-Z_]+=/.test(line));
    // PLACEHOLDER_URL comes last.
    if (/PLACEHOLDER_URL=\S+\n/.test(printed))
      return Object.fromEntries(
        lines.map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the example services did not start:\n${printed}`);
}

async function servingUrl(): Promise<string> {
  for (let i = 0; i < 300; i++) {
    const match = /"url":"(http:\/\/[^"]+\/graphql)"/.exec(output);
    if (match?.[1]) return match[1];
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`gateway did not start:\n${output}`);
}

function printReport(): void {
  console.log(
    `\nGraftQL abuse soak — ${new Date().toISOString()}, node ${process.version}; healthy at ${HEALTHY_RATE} req/s from ${HEALTHY_CONNECTIONS} connections; ${ABUSIVE_CONNECTIONS} abusive connections at full speed\n`,
  );
  console.log(
    '| phase | seconds | healthy requests | healthy failed | healthy p50 ms | healthy p99 ms | abusive requests | refused with a code | ran | RSS min–max MB |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const row of phases) {
    const abusive = row.abusive;
    console.log(
      `| ${row.name} | ${row.healthy.duration.toFixed(0)} | ${row.healthy.requests.total} | ${row.healthyFailures} | ${row.healthy.latency.p50} | ${row.healthy.latency.p99} | ${abusive?.requests ?? '–'} | ${abusive ? abusive.refused - abusive.uncoded : '–'} | ${abusive?.ran ?? '–'} | ${Math.min(...row.rss)}–${Math.max(...row.rss)} |`,
    );
  }
  console.log();
  for (const row of [oneClient, rotating]) {
    const byCode = [...(row.abusive?.byCode ?? [])].sort((a, b) => b[1] - a[1]);
    console.log(
      `${row.name}: healthy p99 ${(row.healthy.latency.p99 / Math.max(1, baseline.healthy.latency.p99)).toFixed(2)}× alone; RSS growth once settled ${rssGrowthMb(row.rss)} MB; abusive requests by code: ${byCode.map(([code, count]) => `${code} ${count}`).join(', ')}`,
    );
  }
  console.log();
}
