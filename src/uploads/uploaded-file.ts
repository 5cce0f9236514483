import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';

/**
 * A file a client uploaded with the GraphQL multipart request, as resolvers
 * and the `Upload` scalar see it: its bytes wait in the request's spool on
 * disk (read-multipart.ts), never whole in memory, until a source sends them.
 */
export class UploadedFile {
  constructor(
    /** As the client named it; not a path on any disk. */
    readonly filename: string,
    /** As the client declared it, checked against `limits.uploads.contentTypes`. */
    readonly contentType: string,
    /** Bytes. */
    readonly size: number,
    private readonly spooled: string,
  ) {}

  /** The bytes, read anew each time (a retried call sends them again). */
  stream(): Readable {
    return createReadStream(this.spooled);
  }

  toJSON(): string {
    return `[file ${this.filename}]`;
  }
}
