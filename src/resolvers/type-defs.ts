import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const SCHEMA_DIR = new URL('../../schema/', import.meta.url);

/** The SDL files of `schema/`, in name order. */
export function loadTypeDefs(): string[] {
  const dir = SCHEMA_DIR.pathname;
  return readdirSync(dir)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => readFileSync(join(dir, file), 'utf8'));
}
