/**
 * `graftql import openapi <file>`: writes the generated SDL (refusing to
 * overwrite a file the import did not write, which would hold a person's
 * edits), then prints the config stub and the report.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, relative, resolve } from 'node:path';
import { GENERATED_HEADER } from '../openapi/generated-header.ts';

export interface ImportCommandOptions {
  file: string;
  source?: string;
  out?: string;
}

export async function importCommand({ file, source, out }: ImportCommandOptions, write: (text: string) => void): Promise<number> {
  // Loaded only here: the parser and its validator are not needed to serve.
  const { ImportError, importOpenApi } = await import('../openapi/import-openapi.ts');
  const name = source ?? sourceNameOf(file);
  const target = resolve(out ?? `schema/${name}.graphql`);
  if (existsSync(target) && !readFileSync(target, 'utf8').startsWith(GENERATED_HEADER)) {
    write(`${relative(process.cwd(), target)} was not written by the import (it may hold your edits): choose another --out, or remove it.\n`);
    return 1;
  }
  let result: Awaited<ReturnType<typeof importOpenApi>>;
  try {
    result = await importOpenApi(resolve(file), { source: name });
  } catch (error) {
    if (!(error instanceof ImportError)) throw error;
    write(`${error.message}\n`);
    return 1;
  }
  if (result.report.mapped.length === 0) {
    write(`Nothing to import: every operation was skipped.\n${result.report.skipped.map(({ operation, reason }) => `  - ${operation}: ${reason}`).join('\n')}\n`);
    return 1;
  }
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, result.sdl);
  const { mapped, skipped, guesses } = result.report;
  write(
    [
      `✓ ${relative(process.cwd(), target)}: ${mapped.length} operations mapped, ${skipped.length} skipped, ${guesses.length} guesses to review`,
      '',
      'Add the source to graftql.config.ts (sources):',
      '',
      ...result.config.split('\n').map((line) => `  ${line}`),
      '',
      ...(skipped.length > 0 ? ['Skipped:', ...skipped.map(({ operation, reason }) => `  - ${operation}: ${reason}`), ''] : []),
      ...(guesses.length > 0 ? ['Guessed (check them):', ...guesses.map((guess) => `  - ${guess}`), ''] : []),
      `Then: graftql check. Running the import again rewrites ${basename(target)}; keep your own changes in another file (extend type ...).`,
      '',
    ].join('\n'),
  );
  return 0;
}

/** `specs/Petstore API.yaml` → petstoreApi: a camelCase source name from the file's. */
function sourceNameOf(file: string): string {
  const words = basename(file, extname(file))
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  const name = words.map((word, i) => (i === 0 ? word.toLowerCase() : word.charAt(0).toUpperCase() + word.slice(1).toLowerCase())).join('');
  return /^[a-z]/.test(name) ? name : `api${name}`;
}
