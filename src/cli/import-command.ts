/**
 * `graftql import openapi <file>`: writes the generated SDL (refusing to
 * overwrite a file the import did not write, which would hold a person's
 * edits), then prints the config stub and the report.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { GENERATED_HEADER } from '../openapi/generated-header.ts';

export interface ImportCommandOptions {
  /** One document, or several imported together (relations across them). */
  files: readonly string[];
  /** One document: its source's name. */
  source?: string;
  /** One document: its SDL file; several: the folder of their files. @default schema/<source>.graphql */
  out?: string;
  /** The config file: written with the sources when it does not exist yet (`.ts`, `.mts`, `.mjs` or `.js`). @default graftql.config.ts */
  config?: string;
}

export async function importCommand(
  { files, source, out, config }: ImportCommandOptions,
  write: (text: string) => void,
): Promise<number> {
  // Loaded only here: the parser and its validator are not needed to serve.
  const { ImportError, importOpenApis } = await import('../openapi/import-openapi.ts');
  const documents = files.map((file) => {
    const name = files.length === 1 && source ? source : sourceNameOf(file);
    const target = resolve(
      files.length === 1 ? (out ?? `schema/${name}.graphql`) : join(out ?? 'schema', `${name}.graphql`),
    );
    return { file, name, target };
  });
  const names = documents.map(({ name }) => name);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice) {
    write(
      `Two documents would be the source "${twice}": import them in separate runs with --source, or rename one file.\n`,
    );
    return 1;
  }
  // Every file is checked before any is written: a person's edits are never overwritten, and a refused run writes nothing.
  const mine = documents.find(
    ({ target }) => existsSync(target) && !readFileSync(target, 'utf8').startsWith(GENERATED_HEADER),
  );
  if (mine) {
    write(
      `${relative(process.cwd(), mine.target)} was not written by the import (it may hold your edits): choose another --out, or remove it.\n`,
    );
    return 1;
  }
  let results: Awaited<ReturnType<typeof importOpenApis>>;
  try {
    results = await importOpenApis(documents.map(({ file, name }) => ({ input: resolve(file), source: name })));
  } catch (error) {
    if (!(error instanceof ImportError)) throw error;
    write(`${error.message}\n`);
    return 1;
  }
  const empty = results.find((result) => result.report.mapped.length === 0);
  if (empty) {
    const { skipped, guesses } = empty.report;
    const why = [...skipped.map(({ operation, reason }) => `${operation}: ${reason}`), ...guesses];
    write(
      `Nothing to import from ${empty.graph.source}: ${skipped.length > 0 ? 'every operation was skipped' : 'it has no operations'}.\n${(why.length > 0 ? why : ['the document has no paths with GET, POST, PUT, PATCH or DELETE']).map((line) => `  - ${line}`).join('\n')}\n`,
    );
    return 1;
  }
  const configFile = resolve(config ?? 'graftql.config.ts');
  // A JSON config cannot hold the stubs' comments and environment references as written: it is printed instead.
  const writesConfig = !existsSync(configFile) && /\.(m?ts|m?js|cjs)$/.test(configFile);
  results.forEach((result, i) => {
    const { target } = documents[i] as (typeof documents)[number];
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, result.sdl);
    const { mapped, skipped, guesses, relations } = result.report;
    write(
      [
        `✓ ${relative(process.cwd(), target)}: ${mapped.length} operations mapped, ${skipped.length} skipped, ${relations.length} relations, ${guesses.length} guesses to review`,
        '',
        ...(writesConfig
          ? []
          : [
              `Add the source to ${relative(process.cwd(), configFile)} (sources):`,
              '',
              ...result.config.split('\n').map((line) => `  ${line}`),
              '',
            ]),
        ...(skipped.length > 0
          ? ['Skipped:', ...skipped.map(({ operation, reason }) => `  - ${operation}: ${reason}`), '']
          : []),
        ...(relations.length > 0 ? ['Relations:', ...relations.map((relation) => `  - ${relation}`), ''] : []),
        ...(guesses.length > 0 ? ['Guessed (check them):', ...guesses.map((guess) => `  - ${guess}`), ''] : []),
        '',
      ].join('\n'),
    );
  });
  if (writesConfig) {
    const schemaDir = relative(dirname(configFile), dirname(documents[0]?.target ?? 'schema/x')) || '.';
    const sources = results.map((result) => result.config);
    writeFileSync(configFile, configFileText(sources, schemaDir, configFile.endsWith('.cjs')));
    write(
      `✓ ${relative(process.cwd(), configFile)}: written with ${plural(results.length, 'source')}; set the environment variables it names, then: graftql serve\n`,
    );
  }
  write(
    `Then: graftql check. Running the import again rewrites ${documents.map(({ target }) => basename(target)).join(', ')}; keep your own changes in another file (extend type ...).\n`,
  );
  return 0;
}

/** `specs/Petstore API.yaml` → petstoreApi, `services/weather/openapi.json` → weather: a camelCase source name from the file's (its folder's, for a file named openapi or swagger). */
function sourceNameOf(file: string): string {
  const stem = basename(file, extname(file));
  const words = (/^(openapi|swagger)$/i.test(stem) ? basename(dirname(resolve(file))) : stem)
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  const name = words
    .map((word, i) => (i === 0 ? word.toLowerCase() : word.charAt(0).toUpperCase() + word.slice(1).toLowerCase()))
    .join('');
  return /^[a-z]/.test(name) ? name : `api${name}`;
}

/** A config file for a project that has none: the sources the import printed, read from the environment. */
function configFileText(sources: readonly string[], schemaDir: string, commonJs: boolean): string {
  return [
    commonJs ? "const { defineConfig } = require('graftql');" : "import { defineConfig } from 'graftql';",
    '',
    '// Written by `graftql import openapi`; yours to edit (the import never writes it again).',
    commonJs ? 'module.exports = defineConfig({' : 'export default defineConfig({',
    ...(schemaDir === 'schema' ? [] : [`  schema: ${JSON.stringify(schemaDir)},`]),
    '  sources: {',
    ...sources.flatMap((source) => source.split('\n').map((line) => `    ${line}`)),
    '  },',
    '});',
    '',
  ].join('\n');
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
