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
import { connect } from 'node:net';
import autocannon from 'autocannon';
import { Agent, request } from 'undici';
import { startAccounts } from '../examples/backends/accounts.ts';
import { type Backends, exampleUserToken, type Service, startBackends } from '../examples/backends/index.ts';
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
/** Heap after a full collection that a second cycle of the same scenario may leave beyond the first's. */
const MAX_CYCLE_GROWTH_MB = 8;
const KNOWN = new Set<string>(ERROR_CODES);
/** Two end users of the example graph, for the identity scenario. */
const CALLERS = [101, 102].map((id) => ({ token: exampleUserToken(id), id: `User:${id}` }));

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
          row.requests < healthy.requests / 2
            ? `${row.requests} requests, under half of healthy's ${healthy.requests}`
            : '',
          row.p99 >= 3_000 ? `p99 ${row.p99} ms` : '',
          Number(row.upstreamPerCall) > 1.1 * Number(healthy.upstreamPerCall)
            ? `${row.upstreamPerCall} upstream calls a request, over 1.1× healthy's ${healthy.upstreamPerCall}`
            : '',
        ]
          .filter(Boolean)
          .join(', '),
    ),
  );
  // The outage twice: the heap its second cycle leaves must not exceed the first's by more than 8 MB (growth across cycles is a leak; one cycle's is not).
  const firstOutage = await outageScenario('accounts down 20 s, then back');
  rows.push(firstOutage);
  const secondOutage = await outageScenario('the same outage again');
  const grew = secondOutage.heapEndMb - firstOutage.heapEndMb;
  rows.push(
    grew > MAX_CYCLE_GROWTH_MB
      ? {
          ...secondOutage,
          pass: false,
          why: [secondOutage.why, `heap ${grew} MB above the first cycle's end`].filter(Boolean).join(', '),
        }
      : secondOutage,
  );
  // 1% of accounts' answers stream 2 GiB, 1% of content's declare it: each refused at the 10 MiB cap, the heap flat.
  rows.push(
    await scenario(
      'upstream bodies of 2 GiB',
      () => {
        backends.accounts.inject({ fault: { kind: 'oversized', bytes: 2 * 1024 ** 3 }, share: 0.01 });
        backends.content.inject({
          fault: { kind: 'oversized', bytes: 2 * 1024 ** 3, declared: true },
          share: 0.01,
          path: /^\/(?!oauth)/,
        });
      },
      () => {},
      (row) => (row.topCodes.includes('UPSTREAM_RESPONSE_TOO_LARGE') ? '' : 'no UPSTREAM_RESPONSE_TOO_LARGE'),
    ),
  );
  rows.push(await slowLorisScenario(healthy));
  rows.push(
    await scenario(
      'two callers, the same fields',
      () => {},
      () => {},
      () => '',
      {
        request: (turn) => ({
          query: '{ viewer { id name } user(id: "User:1") { name } }',
          headers: { authorization: `Bearer ${CALLERS[turn % 2]!.token}` },
        }),
        check: (turn, body) => {
          const viewer = (JSON.parse(body) as { data?: { viewer?: { id?: string } } }).data?.viewer;
          return viewer && viewer.id !== CALLERS[turn % 2]!.id ? `answered ${viewer.id}` : undefined;
        },
      },
    ),
  );
  // After the others: the gateway then paces weather until its window resets.
  rows.push(
    await scenario(
      'weather rate limit spent',
      () => backends.weather.setRateLimit(20, 60_000),
      () => backends.weather.setRateLimit(UNLIMITED, 60_000),
      () => (backends.weather.rateLimited() > 0 ? `weather sent ${backends.weather.rateLimited()} 429s` : ''),
    ),
  );
  rows.push(await coldCrowdScenario());
  rows.push(await sigtermScenario());
} finally {
  printTable(rows);
  await stopped(gateway);
  await backends.close();
}
const failed = rows.filter((row) => !row.pass);
if (failed.length > 0) {
  console.error(`soak failed: ${failed.map((row) => `${row.scenario} (${row.why})`).join('; ')}`);
  process.exit(1);
}
console.log('soak passed');
process.exit(0);

/** Asks the gateway to stop and waits for it (killed after 15 s): it must not outlive the soak. */
async function stopped(child: typeof gateway): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(killer);
}

async function scenario(
  name: string,
  setUp: () => void,
  tearDown: () => void = () => {},
  extraCheck: (row: Row) => string = () => '',
  traffic?: Traffic,
): Promise<Row> {
  for (const service of services()) {
    service.clearFaults();
    service.clearRecords();
  }
  setUp();
  const row = await drive(name, SECONDS, traffic);
  tearDown();
  for (const service of services()) service.clearFaults();
  const extra = extraCheck(row);
  return extra ? { ...row, pass: false, why: [row.why, extra].filter(Boolean).join(', ') } : row;
}

/** accounts goes away (connections refused) for 20 s, then comes back on the same port. */
async function outageScenario(name: string): Promise<Row> {
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
  const row = await drive(name, 28);
  await restart;
  return row;
}

/** 100 clients that open a connection and send their headers a byte a second, while the mixed traffic keeps its p99 (at most twice healthy's). */
async function slowLorisScenario(healthy: Row): Promise<Row> {
  const { hostname, port } = new URL(url);
  const sockets = Array.from({ length: 100 }, () => {
    const socket = connect(Number(port), hostname);
    socket.on('error', () => {});
    socket.write('POST /graphql HTTP/1.1\r\nHost: soak\r\nX-Slow: ');
    return socket;
  });
  const drip = setInterval(() => {
    for (const socket of sockets) if (!socket.destroyed) socket.write('x');
  }, 1_000);
  try {
    return await scenario(
      '100 slow-loris clients',
      () => {},
      () => {},
      (row) => (row.p99 > 2 * healthy.p99 ? `p99 ${row.p99} ms, over twice healthy's ${healthy.p99} ms` : ''),
    );
  } finally {
    clearInterval(drip);
    for (const socket of sockets) socket.destroy();
  }
}

/**
 * 500 identical requests at once, over 500 connections, from a source
 * slowed to 1 s (longer than the requests take to arrive; response storing
 * is off in the soak): one upstream load, whose call hedging backs up (at
 * most 1 + hedge.maxBackups calls), and 500 right answers.
 */
async function coldCrowdScenario(): Promise<Row> {
  for (const service of services()) {
    service.clearFaults();
    service.clearRecords();
  }
  const heapStart = await retainedHeapMb(gateway);
  const pool = new Agent({ connections: 500 });
  // The 500 connections open first, so that the 500 requests arrive together.
  const post = (body: string) =>
    request(url, { dispatcher: pool, method: 'POST', headers: { 'content-type': 'application/json' }, body });
  await Promise.all(Array.from({ length: 500 }, async () => (await post('{"query":"{ __typename }"}')).body.text()));
  backends.accounts.clearRecords();
  backends.accounts.setLatency(1_000);
  const query = '{ user(id: "User:7") { name } }';
  const durations: number[] = [];
  let wrong = 0;
  let non2xx = 0;
  try {
    await Promise.all(
      Array.from({ length: 500 }, async () => {
        const started = performance.now();
        const response = await post(JSON.stringify({ query }));
        const body = (await response.body.json()) as { data?: { user?: { name?: string } } };
        durations.push(performance.now() - started);
        if (response.statusCode !== 200) non2xx += 1;
        else if (!body.data?.user?.name) wrong += 1;
      }),
    );
  } finally {
    backends.accounts.setLatency(0);
    await pool.close();
  }
  const calls = backends.accounts.requests.length;
  const urls = [...new Set(backends.accounts.requests.map((recorded) => recorded.url))].join(' ');
  durations.sort((a, b) => a - b);
  const heapEnd = await retainedHeapMb(gateway);
  const problems = [
    non2xx > 0 && `${non2xx} non-2xx`,
    wrong > 0 && `${wrong} wrong answers`,
    calls > 3 && `${calls} upstream calls`,
  ].filter(Boolean) as string[];
  return {
    scenario: '500 identical cold requests',
    requests: 500,
    non2xx,
    clientTimeouts: 0,
    errorShare: `${((wrong / 500) * 100).toFixed(1)}%`,
    topCodes: `${calls} accounts call${calls === 1 ? '' : 's'} (${urls})`,
    allCoded: true,
    p50: Math.round(durations[249] ?? 0),
    p99: Math.round(durations[494] ?? 0),
    upstreamPerCall: (calls / 500).toFixed(3),
    rssMinMb: Number.NaN,
    rssMaxMb: Number.NaN,
    heapStartMb: heapStart,
    heapEndMb: heapEnd,
    pass: problems.length === 0,
    why: problems.join(', '),
  };
}

/**
 * SIGTERM 2 s into 6 s of load: requests in flight finish (no non-2xx, none
 * hung), new connections are refused, and the gateway exits 0 within its
 * 10 s shutdown grace. The last scenario: the gateway is gone after it.
 */
async function sigtermScenario(): Promise<Row> {
  for (const service of services()) service.clearRecords();
  const heapStart = await retainedHeapMb(gateway);
  const exited = new Promise<{ code: number | null; atMs: number }>((resolve) =>
    gateway.once('exit', (code) => resolve({ code, atMs: performance.now() })),
  );
  let signalledAt = 0;
  const signal = setTimeout(() => {
    signalledAt = performance.now();
    gateway.kill('SIGTERM');
  }, 2_000);
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: 6,
    timeout: 12,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ articles(first: 10) { edges { node { title author { name } } } } }' }),
  });
  clearTimeout(signal);
  const { code, atMs } = await exited;
  const exitMs = Math.round(atMs - signalledAt);
  const problems = [
    code !== 0 && `exit code ${code}`,
    exitMs > 11_000 && `exited ${exitMs} ms after SIGTERM`,
    result.non2xx > 0 && `${result.non2xx} non-2xx`,
    result.timeouts > 0 && `${result.timeouts} hung requests`,
  ].filter(Boolean) as string[];
  return {
    scenario: 'SIGTERM under load',
    requests: result.requests.total,
    non2xx: result.non2xx,
    clientTimeouts: result.timeouts,
    errorShare: '0.0%',
    topCodes: `exit ${code} after ${exitMs} ms; ${result.errors} refused`,
    allCoded: true,
    p50: result.latency.p50,
    p99: result.latency.p99,
    upstreamPerCall: '–',
    rssMinMb: Number.NaN,
    rssMaxMb: Number.NaN,
    heapStartMb: heapStart,
    heapEndMb: Number.NaN,
    pass: problems.length === 0,
    why: problems.join(', '),
  };
}

/** What a scenario sends instead of the mixed queries, and what it checks in each answer. */
interface Traffic {
  request(turn: number): { query: string; headers?: Record<string, string> };
  /** What is wrong with the answer to request `turn`, if anything. */
  check?(turn: number, body: string): string | undefined;
}

async function drive(name: string, seconds: number, traffic?: Traffic): Promise<Row> {
  const heapStart = await retainedHeapMb(gateway);
  const rss = sampleRss(gateway.pid);
  let responses = 0;
  let withErrors = 0;
  let uncoded = 0;
  let turn = 0;
  let wrong = 0;
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
        setupRequest: (request, context: { turn?: number }) => {
          turn += 1;
          context.turn = turn;
          if (traffic) {
            const { query, headers } = traffic.request(turn);
            return { ...request, headers: { ...request.headers, ...headers }, body: JSON.stringify({ query }) };
          }
          const query = QUERIES[turn % QUERIES.length]!.replace('USER', String(1 + (turn % 200)))
            .replace('ARTICLE', String(1 + (turn % 2_000)))
            .replace('CITY', CITIES[turn % CITIES.length]!);
          return { ...request, body: JSON.stringify({ query }) };
        },
        onResponse: (_status, body, context: { turn?: number }) => {
          responses += 1;
          if (traffic?.check?.(context.turn ?? 0, body)) wrong += 1;
          try {
            const { errors } = JSON.parse(body) as { errors?: Array<{ extensions?: { code?: string } }> };
            if (errors?.length) {
              withErrors += 1;
              for (const error of errors)
                byCode.set(error.extensions?.code ?? '?', (byCode.get(error.extensions?.code ?? '?') ?? 0) + 1);
              if (errors.some((error) => !KNOWN.has(error.extensions?.code ?? ''))) uncoded += 1;
            }
          } catch {
            uncoded += 1;
          }
        },
      },
    ],
  });
  const upstream = services().reduce(
    (sum, service) => sum + service.requests.filter((request) => !request.url.startsWith('/oauth')).length,
    0,
  );
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
    wrong > 0 && `${wrong} wrong answers`,
    heapEnd - warmHeap > MAX_RETAINED_GROWTH_MB &&
      `retained heap ${heapEnd} MB, ${heapEnd - warmHeap} MB above the warmed-up ${warmHeap} MB`,
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
    Number.isNaN(row.rssMinMb) ? '–' : `${row.rssMinMb}–${row.rssMaxMb}`,
    `${row.heapStartMb} → ${Number.isNaN(row.heapEndMb) ? '–' : row.heapEndMb}`,
    row.pass ? 'yes' : `NO: ${row.why}`,
  ]);
  console.log(
    `\nGraftQL fault soak — ${new Date().toISOString()}, node ${process.version}, ${CONNECTIONS} connections, ${SECONDS} s per scenario after ${WARM_UP_SECONDS} s of warm-up (heap after GC then ${warmHeap} MB)\n`,
  );
  console.log(`| ${headers.join(' | ')} |`);
  console.log(`|${headers.map(() => '---').join('|')}|`);
  for (const line of lines) console.log(`| ${line.join(' | ')} |`);
}
