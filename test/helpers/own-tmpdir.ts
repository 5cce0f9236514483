/**
 * A temporary folder of this test file's own, made `os.tmpdir()` for the
 * rest of its process (vitest runs each file in a process of its own): what
 * its gateways spool there is theirs alone, whatever other files run beside
 * it. Removed after the file's last test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

export function ownTmpdir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `graftql-test-${label}-`));
  process.env.TMPDIR = dir;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
