/**
 * Loads a config file: `.js`, `.mjs`, `.cjs` and `.json` as Node loads them,
 * TypeScript (`.ts`, `.mts`, `.cts`) with Node's own type stripping where
 * the running Node has it (22.18 and later; a TypeScript loader such as tsx
 * counts too), otherwise with jiti. jiti is the loader ESLint, Tailwind and
 * Nuxt use for TypeScript configs: no dependencies, no hooks left in the
 * process, and it is only loaded for a TypeScript config on an older Node.
 * Either way, write a config Node could strip: relative imports with their
 * extension, types imported with `import type`, no enums.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { extname, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, type GatewayConfig } from '../index.ts';

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts']);
/** What Node throws when it cannot run a TypeScript file itself. */
const CANNOT_STRIP = new Set([
  'ERR_UNKNOWN_FILE_EXTENSION',
  'ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING',
  'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX',
  'ERR_NO_TYPESCRIPT',
]);

/** `fresh`: read the file again (hot reload), past the module cache; the modules it imports stay as first loaded. */
export async function loadConfig(file: string, { fresh = false } = {}): Promise<GatewayConfig> {
  if (!existsSync(file)) throw new ConfigError(`No config file at ${file}.`);
  const exported = extname(file) === '.json' ? await readJson(file) : await importModule(file, fresh);
  const config =
    (exported as { default?: unknown } | undefined)?.default ?? (extname(file) === '.json' ? exported : undefined);
  if (!config || typeof config !== 'object')
    throw new ConfigError(`${file} exports no configuration: write export default defineConfig({ … }).`);
  return config as GatewayConfig;
}

let loads = 0;

async function importModule(file: string, fresh: boolean): Promise<unknown> {
  try {
    // An ES module is cached by its URL: another query is another module.
    return await import(`${pathToFileURL(file).href}${fresh ? `?reload=${++loads}` : ''}`);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (!TYPESCRIPT.has(extname(file)) || !code || !CANNOT_STRIP.has(code)) throw error;
  }
  return importWithJiti(file);
}

/**
 * jiti, loaded for one config and then let go: the megabytes of live heap its
 * compiler holds (and the more V8 lets the heap grow for it under load)
 * would otherwise stay for the life of the process. Three things hold it:
 * an ES module cannot be unloaded (so it is required, not imported), the
 * module cache and its parents' `children`, and the `Error.prepareStackTrace`
 * its Babel installs.
 */
async function importWithJiti(file: string): Promise<unknown> {
  const require = createRequire(import.meta.url);
  const prepareStackTrace = Error.prepareStackTrace;
  try {
    const { createJiti } = require('jiti') as typeof import('jiti');
    return await createJiti(pathToFileURL(file).href, { moduleCache: false, fsCache: false }).import(file);
  } finally {
    Error.prepareStackTrace = prepareStackTrace;
    const isJiti = (path: string) => path.includes(`${sep}jiti${sep}`);
    for (const path of Object.keys(require.cache)) if (isJiti(path)) delete require.cache[path];
    for (const loaded of Object.values(require.cache))
      if (loaded) loaded.children = loaded.children.filter((child) => !isJiti(child.filename));
  }
}

async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${file} is not JSON: ${(error as Error).message}`);
  }
}
