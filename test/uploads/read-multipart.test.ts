/**
 * The multipart reader on its own, fed a body the test controls: a spool
 * write that fails (the folder gone, as when descriptors or disk run out)
 * is a coded refusal, never an unhandled rejection that ends the process.
 */
import { readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { readMultipartRequest } from '../../src/uploads/read-multipart.ts';

const BOUNDARY = 'b0undary';
const part = (headers: string, body: string) => `--${BOUNDARY}\r\n${headers}\r\n\r\n${body}\r\n`;
const limits = { maxFiles: 2, maxFileBytes: 1_000_000, maxTotalBytes: 2_000_000, contentTypes: ['*/*'] };

describe('readMultipartRequest', () => {
  it('refuses with INTERNAL_SERVER_ERROR, and no unhandled rejection, when a spool file cannot be written', async () => {
    const before = new Set(readdirSync(tmpdir()));
    const body = new PassThrough();
    const read = readMultipartRequest({
      contentType: `multipart/form-data; boundary=${BOUNDARY}`,
      body,
      limits,
      maxFieldBytes: 10_000,
      maxJsonDepth: 16,
    });
    const outcome = read.then(
      () => 'read',
      (error: { code?: string }) => error.code,
    );
    body.write(
      part(
        'Content-Disposition: form-data; name="operations"',
        JSON.stringify({ query: 'mutation ($f: Upload!) { a(f: $f) }', variables: { f: null } }),
      ),
    );
    body.write(part('Content-Disposition: form-data; name="map"', '{"0":["variables.f"]}'));
    // The spool folder disappears before the file arrives: opening its spool file fails.
    const spool = await vi.waitFor(() => {
      const made = readdirSync(tmpdir()).find((name) => name.startsWith('graftql-upload-') && !before.has(name));
      expect(made).toBeDefined();
      return made as string;
    });
    rmSync(join(tmpdir(), spool), { recursive: true, force: true });
    body.write(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="0"; filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    body.write(Buffer.alloc(10_000, 1));
    body.end(`\r\n--${BOUNDARY}--\r\n`);
    expect(await outcome).toBe('INTERNAL_SERVER_ERROR');
  });

  it('rejects once the body breaks off mid-file, after its spool file is closed and removed', async () => {
    const before = new Set(readdirSync(tmpdir()));
    const body = new PassThrough();
    const read = readMultipartRequest({
      contentType: `multipart/form-data; boundary=${BOUNDARY}`,
      body,
      limits,
      maxFieldBytes: 10_000,
      maxJsonDepth: 16,
    });
    body.write(
      part(
        'Content-Disposition: form-data; name="operations"',
        JSON.stringify({ query: 'mutation ($f: Upload!) { a(f: $f) }', variables: { f: null } }),
      ),
    );
    body.write(part('Content-Disposition: form-data; name="map"', '{"0":["variables.f"]}'));
    body.write(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="0"; filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    body.write(Buffer.alloc(100_000, 1));
    body.destroy(new Error('aborted'));
    await expect(read).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith('graftql-upload-') && !before.has(name))).toEqual([]);
    const handles = readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`).includes('graftql-upload-');
      } catch {
        return false;
      }
    });
    expect(handles).toEqual([]);
  });
});
