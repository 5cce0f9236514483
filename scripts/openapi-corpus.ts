/**
 * `npm run test:openapi-corpus`: real vendor OpenAPI documents, from the npm
 * packages that ship them, each imported, checked and served against a mock
 * of itself (scripts/openapi-corpus-document.ts, one process per document
 * for its own peak RSS), tabulated. `--subset`: the documents `.ci/run`
 * takes, which fit its time budget. Exits 1 when a document fails to import
 * or check, or answers fewer than MIN_ANSWERED of its root fields.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import type { DocumentOutcome } from './openapi-corpus-document.ts';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

/** Root query fields that must answer against the mock, per document. */
const MIN_ANSWERED = 0.95;

interface CorpusDocument {
  name: string;
  /** A module path inside an installed package, or a gzipped file of test/fixtures/openapi-corpus/. */
  module?: string;
  fixture?: string;
  source: string;
  /** Also run by `.ci/run` (`--subset`). */
  subset?: boolean;
}

const fixture = (name: string, file: string, source: string, subset = false): CorpusDocument => ({
  name,
  fixture: file,
  source,
  subset,
});
const readme = (name: string, path: string, subset = false): CorpusDocument => ({
  name,
  module: `@readme/oas-examples/${path}`,
  source: 'api',
  subset,
});

const CORPUS: CorpusDocument[] = [
  { name: 'GitHub REST (3.0, 13 MB)', module: '@octokit/openapi/generated/api.github.com.json', source: 'github' },
  { name: 'Directus (3.0)', module: '@directus/specs/dist/openapi.json', source: 'directus', subset: true },
  { name: 'ShipEngine (3.0)', module: 'shipengine-openapi/openapi.json', source: 'shipengine' },
  { name: 'rclone (3.0)', module: 'rclone-openapi/openapi.json', source: 'rclone', subset: true },
  { name: 'Blockfrost (3.0, YAML)', module: '@blockfrost/openapi/openapi.yaml', source: 'blockfrost' },
  { name: 'Netlify (Swagger 2.0)', module: '@netlify/open-api/dist/swagger.json', source: 'netlify', subset: true },
  fixture('Stripe (3.0)', 'stripe.com.json.gz', 'stripe'),
  fixture('Twilio (3.0)', 'twilio.com.json.gz', 'twilio'),
  fixture('Slack Web API (3.0)', 'slack.com.json.gz', 'slack'),
  fixture('Spotify Web API (3.0)', 'spotify.com.json.gz', 'spotify', true),
  fixture('Trello (3.0)', 'trello.com.json.gz', 'trello'),
  fixture('Jira Cloud (3.0)', 'atlassian.com-jira.json.gz', 'jira'),
  fixture('Bitbucket (3.0)', 'bitbucket.org.json.gz', 'bitbucket'),
  fixture('DigitalOcean (3.0)', 'digitalocean.com.json.gz', 'digitalocean'),
  fixture('Asana (3.0)', 'asana.com.json.gz', 'asana'),
  fixture('Box (3.0)', 'box.com.json.gz', 'box'),
  fixture('Notion (3.0)', 'notion.com.json.gz', 'notion', true),
  fixture('NYT Books (3.0)', 'nytimes.com-books_api.json.gz', 'books', true),
  fixture('Wikimedia (3.0)', 'wikimedia.org.json.gz', 'wikimedia'),
  fixture('XKCD (3.0)', 'xkcd.com.json.gz', 'xkcd', true),
  fixture('Adyen Checkout (3.1)', 'adyen.com-CheckoutService.json.gz', 'adyen'),
  readme('Petstore (Swagger 2.0)', '2.0/json/petstore.json', true),
  readme('Petstore expanded (3.0)', '3.0/json/petstore-expanded.json', true),
  readme('USPTO (3.0)', '3.0/json/uspto.json', true),
  readme('Polymorphism (3.0)', '3.0/json/polymorphism.json', true),
  readme('Discriminators (3.0)', '3.0/json/discriminators.json'),
  readme('Circular (3.0)', '3.0/json/circular.json'),
  readme('Star Trek (3.0)', '3.0/json/star-trek.json', true),
  readme('Train travel (3.1)', '3.1/json/train-travel.json', true),
  readme('Webhooks only (3.1)', '3.1/json/webhooks.json'),
];

/** The document's path on disk: a fixture gunzipped into `dir`. */
function fileOf(document: CorpusDocument, dir: string): string {
  if (document.module) {
    try {
      return require.resolve(document.module);
    } catch {
      // A package whose `exports` do not list the document (Directus's): read it where npm put it.
      const installed = join('node_modules', document.module);
      if (existsSync(installed)) return installed;
      throw new Error(`not installed: ${document.module}`);
    }
  }
  const name = document.fixture ?? '';
  const target = join(dir, name.replace(/\.gz$/, ''));
  writeFileSync(target, gunzipSync(readFileSync(join('test', 'fixtures', 'openapi-corpus', name))));
  return target;
}

const subsetOnly = process.argv.includes('--subset');
const chosen = CORPUS.filter((document) => !subsetOnly || document.subset);
const dir = mkdtempSync(join(tmpdir(), 'graftql-corpus-documents-'));
const rows: Array<{ document: CorpusDocument; outcome?: DocumentOutcome; error?: string; rssMb?: number }> = [];
for (const document of chosen) {
  let file: string;
  try {
    file = fileOf(document, dir);
  } catch {
    rows.push({ document, error: `not installed (${document.module ?? document.fixture})` });
    continue;
  }
  process.stderr.write(`${document.name} ...`);
  try {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', 'scripts/openapi-corpus-document.ts', file, document.source],
      { maxBuffer: 64 * 1024 * 1024, timeout: 300_000 },
    );
    const outcome = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as DocumentOutcome;
    rows.push({ document, outcome });
    process.stderr.write(` ${outcome.fields.ok}/${outcome.fields.total}\n`);
  } catch (error) {
    const text = String((error as { stderr?: string }).stderr || (error as Error).message);
    rows.push({ document, error: text.split('\n').find((line) => /Error/.test(line)) ?? text.slice(0, 200) });
    process.stderr.write(' failed\n');
  }
}

rmSync(dir, { recursive: true, force: true });

const passes = (outcome: DocumentOutcome | undefined) =>
  outcome !== undefined &&
  (outcome.check === 'ok' || /^nothing to import \(/.test(outcome.check)) &&
  (outcome.fields.total === 0 || outcome.fields.ok / outcome.fields.total >= MIN_ANSWERED);

console.log(
  '| document | operations | mapped | skipped | check | root fields answered | numbered root fields | import | import peak RSS | |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const { document, outcome, error } of rows) {
  if (!outcome) {
    console.log(`| ${document.name} | – | – | – | ${error} | – | – | – | – | ✗ |`);
    continue;
  }
  const { operations, mapped, skipped, check, fields, importMs, importRssMb, numbered } = outcome;
  console.log(
    `| ${document.name} | ${operations} | ${mapped} | ${skipped} | ${check === 'ok' ? 'ok' : check.replace(/\|/g, '/')} | ${fields.ok}/${fields.total} | ${numbered.length} | ${(importMs / 1000).toFixed(1)} s | ${importRssMb} MB | ${passes(outcome) ? '✓' : '✗'} |`,
  );
}
const numbered = rows.flatMap(({ document, outcome }) =>
  (outcome?.numbered ?? []).map((name) => `${document.name}: ${name}`),
);
if (numbered.length > 0)
  console.log(`\nRoot fields named with a number:\n${numbered.map((line) => `- ${line}`).join('\n')}`);
const failures = rows.flatMap(({ document, outcome }) =>
  (outcome?.failures ?? []).map((failure) => `${document.name}: ${failure.field}: ${failure.error.slice(0, 160)}`),
);
if (failures.length > 0)
  console.log(`\nRoot fields that did not answer:\n${failures.map((line) => `- ${line}`).join('\n')}`);
process.exit(rows.every(({ outcome }) => passes(outcome)) ? 0 : 1);
