/**
 * `npm run soak:documents` (not part of `npm test`): what a flood of distinct
 * valid documents costs in memory. Clients that inline literals instead of
 * variables send a new document text with every request; the gateway keeps
 * parsed documents in a bounded cache, and this checks that the bound holds
 * for the heap, not only for the texts. Sends DOCUMENTS (default 2,000)
 * distinct documents of FIELDS (default 400) fields each to a production
 * gateway, 8 at a time, and prints the heap that survives a full collection
 * as they arrive. Fails when it grows past the cache's bound plus 16 MB.
 */
import { startBackends } from '../examples/backends/index.ts';
import { retainedHeapMb, rssMb } from './memory.ts';
import { startProbedGateway } from './probed-gateway.ts';

const DOCUMENTS = Number(process.env.DOCUMENTS ?? 2_000);
const FIELDS = Number(process.env.FIELDS ?? 400);
const IN_FLIGHT = 8;
/** The parsed-document cache's bound (DOCUMENT_CACHE_BYTES in src/pipeline/pipeline.ts), and room for what else a request holds. */
const BOUND_MB = 64;
const SLACK_MB = 16;

const backends = await startBackends();
const { gateway, url } = await startProbedGateway({ ...backends.env, GRAFTQL_CONFIG: 'scripts/soak.config.ts' });
// Distinct texts (an id per document), each one field selected FIELDS times: valid, merged, cheap to run.
const document = (i: number) => `{ article(id: "Article:${1 + (i % 2_000)}") { id${' title'.repeat(FIELDS)} } }`;

const startHeap = await retainedHeapMb(gateway);
const rows: string[][] = [['0', String(startHeap), '0', String(rssMb(gateway.pid)), '–']];
let failed = 0;
const started = performance.now();
for (let sent = 0; sent < DOCUMENTS; sent += IN_FLIGHT) {
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async (_, k) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: document(sent + k) }),
      });
      const body = (await response.json()) as { errors?: unknown[] };
      if (!response.ok || body.errors) failed += 1;
    }),
  );
  const done = sent + IN_FLIGHT;
  if (done % (DOCUMENTS / 5) === 0) {
    const heap = await retainedHeapMb(gateway);
    rows.push([
      String(done),
      String(heap),
      String(heap - startHeap),
      String(rssMb(gateway.pid)),
      ((performance.now() - started) / done).toFixed(1),
    ]);
  }
}
gateway.kill('SIGTERM');
await backends.close();

console.log(
  `\nGraftQL document flood — ${new Date().toISOString()}, node ${process.version}, ${DOCUMENTS} distinct documents of ${FIELDS} fields (${document(0).length} characters)\n`,
);
console.log('| documents sent | heap after GC MB | growth MB | RSS MB | ms per document |');
console.log('|---|---|---|---|---|');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
const growth = Math.max(...rows.map((row) => Number(row[2])));
const problems = [
  failed > 0 && `${failed} documents did not answer with data`,
  growth > BOUND_MB + SLACK_MB && `retained heap grew ${growth} MB, past ${BOUND_MB} + ${SLACK_MB}`,
].filter(Boolean);
if (problems.length > 0) {
  console.error(`document flood failed: ${problems.join('; ')}`);
  process.exit(1);
}
console.log('document flood passed');
process.exit(0);
