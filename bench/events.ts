/**
 * `npm run bench:events`: the gateway's memory while it fans webhook events
 * out to subscribers, and while files stream through it. The gateway runs
 * as `graftql serve --example` in a child process of its own (its memory is
 * read from its /metrics); this process posts signed webhooks, holds the
 * SSE subscribers and uploads the files.
 *
 * Events: BENCH_EVENTS (default 100,000) article.created events to
 * BENCH_SUBSCRIBERS (default 100) SSE subscribers, posted one at a time and
 * paced so no subscriber falls more than 50 behind (the queue cuts at 100);
 * a row every tenth of the way. Uploads: files of 5, 20, 50 and 60 MB, each
 * with its peak RSS growth. Printed, and written to bench/results/<date>-events.md.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { type IncomingMessage, request } from 'node:http';
import { DEV_CREDENTIALS } from '../examples/backends/index.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 100);
const MAX_BEHIND = 50;
const KEY = Buffer.from(DEV_CREDENTIALS.webhookSecret.replace(/^whsec_/, ''), 'base64');
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

const gateway = await startGateway();
try {
  const events = await fanOut(gateway.url);
  const uploads = await streamFiles(gateway.url);
  const report = [
    `# Events and uploads, ${new Date().toISOString().slice(0, 16)} (Node ${process.version})`,
    '',
    `${EVENTS.toLocaleString('en')} events to ${SUBSCRIBERS} SSE subscribers (article.created, mapped from the event; ${(EVENTS * SUBSCRIBERS).toLocaleString('en')} messages).`,
    '',
    '| events posted | messages received | gateway RSS (MB) | gateway heap used (MB) | subscriptions |',
    '|---|---|---|---|---|',
    ...events.map(
      (row) =>
        `| ${row.posted.toLocaleString('en')} | ${row.received.toLocaleString('en')} | ${mb(row.rss)} | ${mb(row.heap)} | ${row.subscriptions} |`,
    ),
    '',
    'Uploads (Mutation.addAttachment, one file each, spooled to disk, streamed to content as multipart/form-data).',
    '',
    '| file (MB) | seconds | gateway RSS before (MB) | peak (MB) | growth (MB) |',
    '|---|---|---|---|---|',
    ...uploads.map(
      (row) =>
        `| ${mb(row.size)} | ${row.seconds.toFixed(2)} | ${mb(row.before)} | ${mb(row.peak)} | ${mb(row.peak - row.before)} |`,
    ),
  ].join('\n');
  console.log(report);
  writeFileSync(new URL(`results/${new Date().toISOString().slice(0, 10)}-events.md`, import.meta.url), `${report}\n`);
} finally {
  gateway.child.kill();
}

interface Gateway {
  url: string;
  child: ChildProcess;
}

async function startGateway(): Promise<Gateway> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--example'], {
    env: { PATH: process.env.PATH ?? '', PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (output.length > 100_000) output = output.slice(-10_000);
  });
  for (let waited = 0; waited < 30_000; waited += 100) {
    const url = /"url":"(http:\/\/[^"]+)\/graphql"/.exec(output)?.[1];
    if (url) return { url, child };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the gateway did not start:\n${output}`);
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? Number.NaN);
}

interface EventRow {
  posted: number;
  received: number;
  rss: number;
  heap: number;
  subscriptions: number;
}

async function fanOut(url: string): Promise<EventRow[]> {
  const received = new Array<number>(SUBSCRIBERS).fill(0);
  const streams: IncomingMessage[] = [];
  for (let i = 0; i < SUBSCRIBERS; i++)
    streams.push(await subscribe(url, (count) => (received[i] = (received[i] ?? 0) + count)));
  const rows: EventRow[] = [];
  const row = async (posted: number) =>
    rows.push({
      posted,
      received: received.reduce((sum, count) => sum + count, 0),
      rss: await metric(url, 'process_resident_memory_bytes'),
      heap: await metric(url, 'nodejs_heap_size_used_bytes'),
      subscriptions: await metric(url, 'graftql_subscriptions'),
    });
  await row(0);
  for (let posted = 1; posted <= EVENTS; posted++) {
    while (posted - Math.min(...received) > MAX_BEHIND) await new Promise((resolve) => setImmediate(resolve));
    await postEvent(url, posted);
    if (posted % Math.max(1, Math.floor(EVENTS / 10)) === 0) await row(posted);
  }
  for (let waited = 0; Math.min(...received) < EVENTS && waited < 30_000; waited += 10)
    await new Promise((resolve) => setTimeout(resolve, 10));
  await row(EVENTS);
  for (const stream of streams) stream.destroy();
  return rows;
}

/** An SSE subscriber that counts its messages. */
function subscribe(url: string, onMessages: (count: number) => void): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/graphql`,
      { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream' } },
      (res) => {
        let partial = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const lines = (partial + chunk).split('\n');
          partial = lines.pop() ?? '';
          const count = lines.filter((line) => line === 'event: next').length;
          if (count > 0) onMessages(count);
        });
        resolve(res);
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ query: 'subscription { articleCreated { id title } }' }));
  });
}

async function postEvent(url: string, n: number): Promise<void> {
  const body = JSON.stringify({
    type: 'article.created',
    data: {
      id: 100_000 + n,
      title: `Event ${n}`,
      body: 'b',
      category: 'bench',
      author_id: 1,
      created_at: '2026-11-26T00:00:00Z',
    },
  });
  const id = `msg_${randomUUID()}`;
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = createHmac('sha256', KEY).update(`${id}.${timestamp}.${body}`).digest('base64');
  const response = await fetch(`${url}/webhooks/content`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': `v1,${signature}`,
    },
    body,
  });
  if (response.status !== 204) throw new Error(`event ${n}: ${response.status} ${await response.text()}`);
}

interface UploadRow {
  size: number;
  seconds: number;
  before: number;
  peak: number;
}

async function streamFiles(url: string): Promise<UploadRow[]> {
  const rows: UploadRow[] = [];
  for (const size of [5, 20, 50, 60].map((megabytes) => megabytes * 1024 * 1024)) {
    const form = new FormData();
    form.set(
      'operations',
      JSON.stringify({
        query: 'mutation ($file: Upload!) { addAttachment(articleId: "Article:1", file: $file) { size } }',
        variables: { file: null },
      }),
    );
    form.set('map', JSON.stringify({ 0: ['variables.file'] }));
    form.set('0', new Blob([Buffer.alloc(size, 1)], { type: 'application/octet-stream' }), 'bench.bin');
    const before = await metric(url, 'process_resident_memory_bytes');
    let peak = before;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) peak = Math.max(peak, await metric(url, 'process_resident_memory_bytes'));
    })();
    const started = performance.now();
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'graphql-require-preflight': '1' },
      body: form,
    });
    const answer = (await response.json()) as { data?: { addAttachment?: { size: number } } };
    const seconds = (performance.now() - started) / 1000;
    sampling = false;
    await sampler;
    if (answer.data?.addAttachment?.size !== size)
      throw new Error(`upload of ${size} bytes: ${JSON.stringify(answer)}`);
    rows.push({ size, seconds, before, peak });
  }
  return rows;
}
