/**
 * A `multipart/form-data` body for a source (RFC 7578), streamed: text
 * fields and files in order, each file read from its spool as the socket
 * takes it. The length is known beforehand (spooled files have a size), so
 * the source gets a Content-Length, not a chunked body some APIs refuse.
 *
 * Hand-written rather than undici's FormData: that one wants each file as a
 * Blob, which is the file in memory.
 */
import { randomBytes } from 'node:crypto';
import type { UploadedFile } from './uploaded-file.ts';

export interface MultipartBody {
  contentType: string;
  length: number;
  /** A fresh body each time it is called. */
  chunks(): AsyncIterable<Buffer>;
}

export function multipartBody(
  parts: ReadonlyArray<readonly [name: string, value: string | UploadedFile]>,
): MultipartBody {
  const boundary = `graftql-${randomBytes(12).toString('hex')}`;
  const heads = parts.map(([name, value]) =>
    Buffer.from(
      typeof value === 'string'
        ? `--${boundary}\r\nContent-Disposition: form-data; name="${quoted(name)}"\r\n\r\n`
        : `--${boundary}\r\nContent-Disposition: form-data; name="${quoted(name)}"; filename="${quoted(value.filename)}"\r\nContent-Type: ${value.contentType}\r\n\r\n`,
    ),
  );
  const texts = parts.map(([, value]) => (typeof value === 'string' ? Buffer.from(value) : undefined));
  const crlf = Buffer.from('\r\n');
  const end = Buffer.from(`--${boundary}--\r\n`);
  const length =
    parts.reduce(
      (sum, [, value], i) =>
        sum +
        (heads[i]?.length ?? 0) +
        (typeof value === 'string' ? (texts[i]?.length ?? 0) : value.size) +
        crlf.length,
      0,
    ) + end.length;
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length,
    async *chunks() {
      for (const [i, [, value]] of parts.entries()) {
        yield heads[i] as Buffer;
        if (typeof value === 'string') yield texts[i] as Buffer;
        else for await (const chunk of value.stream()) yield chunk as Buffer;
        yield crlf;
      }
      yield end;
    },
  };
}

/** A name or filename inside a quoted header parameter: quotes and line breaks percent-encoded, as browsers do (WHATWG HTML). */
function quoted(text: string): string {
  return text.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
