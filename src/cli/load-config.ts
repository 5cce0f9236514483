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
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, type GatewayConfig } from '../index.ts';

const TYPESCRIPT = new Set(['.ts', '.mts', '.cts']);
/** What Node throws when it cannot run a TypeScript file itself. */
const CANNOT_STRIP = new Set(['ERR_UNKNOWN_FILE_EXTENSION', 'ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING', 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX', 'ERR_NO_TYPESCRIPT']);

export async function loadConfig(file: string): Promise<GatewayConfig> {
  if (!existsSync(file)) throw new ConfigError(`No config file at ${file}.`);
  const exported = extname(file) === '.json' ? await readJson(file) : await importModule(file);
  const config = (exported as { default?: unknown } | undefined)?.default ?? (extname(file) === '.json' ? exported : undefined);
  if (!config || typeof config !== 'object') throw new ConfigError(`${file} exports no configuration: write export default defineConfig({ … }).`);
  return config as GatewayConfig;
}

async function importModule(file: string): Promise<unknown> {
  try {
    return await import(pathToFileURL(file).href);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (!TYPESCRIPT.has(extname(file)) || !code || !CANNOT_STRIP.has(code)) throw error;
  }
  const { createJiti } = await import('jiti');
  return createJiti(pathToFileURL(file).href, { moduleCache: true, fsCache: false }).import(file);
}

async function readJson(file: string): Promise<unknown> {
  const text = await readFile(file, 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${file} is not JSON: ${(error as Error).message}`);
  }
}
