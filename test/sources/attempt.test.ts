/** How an attempt encodes a call's body: each kind with the headers that say what it is, and a multipart length that is the body's. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { path } from '../../src/core/upstream-path.ts';
import { encodeBody } from '../../src/sources/attempt.ts';
import { UploadedFile } from '../../src/uploads/uploaded-file.ts';

const text = async (body: string | Readable | undefined) => {
  if (typeof body === 'string' || body === undefined) return body;
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
};

describe('encodeBody', () => {
  it('sends JSON as application/json and a form as application/x-www-form-urlencoded, leaving out nulls', async () => {
    expect(encodeBody({ path: path`/a`, json: { a: 1 } })).toEqual({
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(encodeBody({ path: path`/a`, form: { body: 'hi there', author_id: 3, gone: null } })).toEqual({
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'body=hi+there&author_id=3',
    });
    expect(encodeBody({ path: path`/a` })).toEqual({ headers: {}, body: undefined });
  });

  it('streams a file and multipart parts with a Content-Length that is the body’s length', async () => {
    const spool = join(mkdtempSync(join(tmpdir(), 'graftql-test-')), 'file');
    writeFileSync(spool, 'file bytes');
    const file = new UploadedFile('notes.txt', 'text/plain', 10, spool);
    const single = encodeBody({ method: 'PUT', path: path`/a`, file });
    expect(single.headers).toEqual({ 'content-type': 'text/plain', 'content-length': '10' });
    expect(await text(single.body)).toBe('file bytes');
    const parts = encodeBody({
      method: 'POST',
      path: path`/a`,
      multipart: [
        ['note', 'hello'],
        ['file', file],
      ],
    });
    expect(parts.headers['content-type']).toMatch(/^multipart\/form-data; boundary=graftql-[0-9a-f]+$/);
    const body = (await text(parts.body)) as string;
    expect(Buffer.byteLength(body)).toBe(Number(parts.headers['content-length']));
    expect(body).toContain('name="note"\r\n\r\nhello\r\n');
    expect(body).toContain('name="file"; filename="notes.txt"\r\nContent-Type: text/plain\r\n\r\nfile bytes\r\n');
  });
});
