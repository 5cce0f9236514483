/**
 * `npm run soak`: the fault soak (not part of `npm test`). Starts the example
 * services and a gateway (a child process, as `npm start` runs it), drives
 * load with autocannon through bounded scenarios, prints a table per
 * scenario, and exits non-zero when one fails its pass criteria
 * (RELIABILITY.md): the gateway stays up, no request hangs past the
 * deadline, every error carries a known code, and the heap that survives a
 * full collection stays within 32 MB of its warmed-up size (scripts/memory.ts).
 *
 * SOAK_SECONDS sets each scenario's length (default 12; the outage
 * scenario runs 20 s down plus 8 s after).
 */
import autocannon from 'autocannon';
import { startAccounts } from '../examples/backends/accounts.ts';
import { type Backends, type Service, startBackends } from '../examples/backends/index.ts';
import { ERROR_CODES } from '../src/errors.ts';
import { retainedHeapMb, sampleRss } from './memory.ts';
import { startProbedGateway } from './probed-gateway.ts';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 12);
const CONNECTIONS = 20;
const WARM_UP_SECONDS = 40;
/**
 * Heap that may survive a full collection at a scenario's end beyond what the
 * warmed-up gateway held: in-flight requests, time-windowed state (retry
 * budgets, breakers, log buffers). A leak of 1 KB a request passes it in
 * any scenario.
 */
const MAX_RETAINED_GROWTH_MB = 32;
const KNOWN = new Set<string>(ERROR_CODES);

const QUERIES = [
  '{ user(id: "User:USER") { name weather { temperature } articles(first: 3) { edges { node { title comments(first: 2) { totalCount } } } } } }',
  '{ articles(first: 10) { edges { node { title author { name } } } } }',
  '{ weather(city: "CITY") { temperature forecast(days: 1) { temperature } } }',
  '{ article(id: "Article:ARTICLE") { title comments(first: 5) { edges { node { body author { name } } } } } }',
];
const CITIES = ['London', 'Paris', 'Berlin', 'Madrid', 'Rome', 'Oslo', 'Tokyo', 'Lima'];

interface Row {
  scenario: string;
  requests: number;
  non2xx: number;
  clientTimeouts: number;
  errorShare: string;
  topCodes: string;
  allCoded: boolean;
  p50: number;
  p99: number;
  upstreamPerCall: string;
  rssMinMb: number;
  rssMaxMb: number;
  heapStartMb: number;
  heapEndMb: number;
  pass: boolean;
  why: string;
}

// Weather's own budget (600 a minute) would turn every scenario into a rate-limit one; only the last spends it.
const UNLIMITED = 1_000_000_000;
const backends = await startBackends({ weatherRateLimit: UNLIMITED });
const services = (): Service[] => [backends.accounts, backends.content, backends.comments, backends.weather];
const { gateway, url } = await startProbedGateway({ ...backends.env, GRAFTQL_CONFIG: 'scripts/soak.config.ts' });
const rows: Row[] = [];
let warmHeap = Number.POSITIVE_INFINITY;

try {
  // Warm up (not reported) until the bounded caches are full (parsed documents, compiled ones): their filling is not a leak.
  await drive('warm-up', WARM_UP_SECONDS);
  warmHeap = await retainedHeapMb(gateway);
  rows.push(await scenario('healthy', () => {}));
  rows.push(
    await scenario('10% 5xx + 1% resets', () => {
      for (const service of services()) {
        service.inject({ fault: { kind: 'status', status: 503 }, share: 0.1 });
        service.inject({ fault: { kind: 'reset' }, share: 0.01 });
      }
    }),
  );
  const healthy = rows[0] as Row;
  // Hedged calls' target: at least half the healthy throughput, p99 under 3 s, at most 1.1× the healthy upstream calls per request.
  rows.push(
    await scenario(
      '5% never answer',
      () => services().forEach((service) => service.inject({ fault: { kind: 'stallHeaders' }, share: 0.05 })),
      () => {},
      (row) =>
        [
          row.requests < healthy.requests / 2 ? `${row.requests} requests, under half of healthy's ${healthy.requests}` : '',
          row.p99 >= 3_000 ? `p99 ${row.p99} ms` : '',
          Number(row.upstreamPerCall) > 1.1 * Number(healthy.upstreamPerCall) ? `${row.upstreamPerCall} upstream calls a request, over 1.1× healthy's ${healthy.upstreamPerCall}` : '',
        ]
          .filter(Boolean)
          .join(', '),
    ),
  );
  rows.push(await outageScenario());
  rows.push(
    await scenario(
      'weather rate limit spent',
      () => backends.weather.setRateLimit(20, 60_000),
      () => backends.weather.setRateLimit(UNLIMITED, 60_000),
      () => (backends.weather.rateLimited() > 0 ? `weather sent ${backends.weather.rateLimited()} 429s` : ''),
    ),
  );
} finally {
  printTable(rows);
  gateway.kill('SIGTERM');
  await backends.close();
}
const failed = rows.filter((row) => !row.pass);
if (failed.length > 0) {
  console.error(`soak failed: ${failed.map((row) => `${row.scenario} (${row.why})`).join('; ')}`);
  process.exit(1);
}
console.log('soak passed');
process.exit(0);

async function scenario(name: string, setUp: () => void, tearDown: () => void = () => {}, extraCheck: (row: Row) => string = () => ''): Promise<Row> {
  for (const service of services()) {
    service.clearFaults();
    service.clearRecords();
  }
  setUp();
  const row = await drive(name, SECONDS);
  tearDown();
  for (const service of services()) service.clearFaults();
  const extra = extraCheck(row);
  return extra ? { ...row, pass: false, why: [row.why, extra].filter(Boolean).join(', ') } : row;
}

/** accounts goes away (connections refused) for 20 s, then comes back on the same port. */
async function outageScenario(): Promise<Row> {
  for (const service of services()) service.clearRecords();
  const port = backends.accounts.port;
  await backends.accounts.close();
  const restart = new Promise<void>((resolve) =>
    setTimeout(async () => {
      const accounts = await startAccounts({ apiKey: backends.credentials.accountsApiKey, port });
      (backends as { accounts: Backends['accounts'] }).accounts = accounts;
      resolve();
    }, 20_000),
  );
  const row = await drive('accounts down 20 s, then back', 28);
  await restart;
  return row;
}

async function drive(name: string, seconds: number): Promise<Row> {
  const heapStart = await retainedHeapMb(gateway);
  const rss = sampleRss(gateway.pid);
  let responses = 0;
  let withErrors = 0;
  let uncoded = 0;
  let turn = 0;
  const byCode = new Map<string, number>();
  const result = await autocannon({
    url: `${url}`,
    connections: CONNECTIONS,
    duration: seconds,
    timeout: 12, // s: past the gateway's 10 s request deadline, a request counts as hung
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (request) => {
          turn += 1;
          const query = QUERIES[turn % QUERIES.length]!.replace('USER', String(1 + (turn % 200)))
            .replace('ARTICLE', String(1 + (turn % 2_000)))
            .replace('CITY', CITIES[turn % CITIES.length]!);
          return { ...request, body: JSON.stringify({ query }) };
        },
        onResponse: (_status, body) => {
          responses += 1;
          try {
            const { errors } = JSON.parse(body) as { errors?: Array<{ extensions?: { code?: string } }> };
            if (errors?.length) {
              withErrors += 1;
              for (const error of errors) byCode.set(error.extensions?.code ?? '?', (byCode.get(error.extensions?.code ?? '?') ?? 0) + 1);
              if (errors.some((error) => !KNOWN.has(error.extensions?.code ?? ''))) uncoded += 1;
            }
          } catch {
            uncoded += 1;
          }
        },
      },
    ],
  });
  const upstream = services().reduce((sum, service) => sum + service.requests.filter((request) => !request.url.startsWith('/oauth')).length, 0);
  rss.stop();
  const alive =
    gateway.exitCode === null &&
    (await fetch(url.replace('/graphql', '/healthz')).then(
      (r) => r.ok,
      () => false,
    ));
  const heapEnd = alive ? await retainedHeapMb(gateway) : Number.NaN;
  const problems = [
    !alive && 'gateway down',
    result.timeouts > 0 && `${result.timeouts} hung requests`,
    result.non2xx > 0 && `${result.non2xx} non-2xx`,
    uncoded > 0 && `${uncoded} uncoded errors`,
    heapEnd - warmHeap > MAX_RETAINED_GROWTH_MB && `retained heap ${heapEnd} MB, ${heapEnd - warmHeap} MB above the warmed-up ${warmHeap} MB`,
    name === 'healthy' && withErrors > 0 && `${withErrors} errors while healthy`,
  ].filter(Boolean) as string[];
  return {
    scenario: name,
    requests: result.requests.total,
    non2xx: result.non2xx,
    clientTimeouts: result.timeouts,
    errorShare: `${((withErrors / Math.max(1, responses)) * 100).toFixed(1)}%`,
    topCodes:
      [...byCode]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([code, count]) => `${code} ${count}`)
        .join(', ') || '–',
    allCoded: uncoded === 0,
    p50: result.latency.p50,
    p99: result.latency.p99,
    upstreamPerCall: (upstream / Math.max(1, result.requests.total)).toFixed(2),
    rssMinMb: Math.min(...rss.samples),
    rssMaxMb: Math.max(...rss.samples),
    heapStartMb: heapStart,
    heapEndMb: heapEnd,
    pass: problems.length === 0,
    why: problems.join(', '),
  };
}

function printTable(table: Row[]): void {
  const headers = [
    'scenario',
    'requests',
    'non-2xx',
    'client timeouts',
    'with errors',
    'top codes',
    'all coded',
    'p50 ms',
    'p99 ms',
    'upstream/call',
    'RSS MB',
    'heap after GC MB, start → end',
    'pass',
  ];
  const lines = table.map((row) => [
    row.scenario,
    row.requests,
    row.non2xx,
    row.clientTimeouts,
    row.errorShare,
    row.topCodes,
    row.allCoded ? 'yes' : 'NO',
    row.p50,
    row.p99,
    row.upstreamPerCall,
    `${row.rssMinMb}–${row.rssMaxMb}`,
    `${row.heapStartMb} → ${row.heapEndMb}`,
    row.pass ? 'yes' : `NO: ${row.why}`,
  ]);
  console.log(
    `\nGraftQL fault soak — ${new Date().toISOString()}, node ${process.version}, ${CONNECTIONS} connections, ${SECONDS} s per scenario after ${WARM_UP_SECONDS} s of warm-up (heap after GC then ${warmHeap} MB)\n`,
  );
  console.log(`| ${headers.join(' | ')} |`);
  console.log(`|${headers.map(() => '---').join('|')}|`);
  for (const line of lines) console.log(`| ${line.join(' | ')} |`);
}
