/**
 * Opaque, versioned connection cursors: base64url of a small JSON that holds
 * the upstream position and a fingerprint of the field and its arguments, so
 * a cursor from another field or other filters is refused before any
 * upstream call. Positions are validated on the way in like any user input.
 */
import { createHash } from 'node:crypto';
import { GraftError } from '../errors.ts';

const VERSION = 1;

/** A short, stable digest of what a connection lists: field plus filter arguments. */
export function fingerprint(...parts: ReadonlyArray<string | number | null | undefined>): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 12);
}

export function encodeCursor(print: string, position: unknown): string {
  return Buffer.from(JSON.stringify({ v: VERSION, f: print, p: position })).toString('base64url');
}

/** The position inside a cursor made for the same fingerprint, or `INVALID_CURSOR`. */
export function decodeCursor(cursor: string, print: string): unknown {
  let parsed: unknown;
  try {
    parsed = cursor.length <= 2048 && /^[\w-]+$/.test(cursor) ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) : undefined;
  } catch {
    parsed = undefined;
  }
  const { v, f, p } = (parsed ?? {}) as { v?: unknown; f?: unknown; p?: unknown };
  if (v !== VERSION || f !== print || p === undefined) throw invalidCursor();
  return p;
}

/** The item index in a cursor of an index-addressed connection (offset, page number). */
export function decodeIndex(cursor: string, print: string): number {
  const index = decodeCursor(cursor, print);
  if (!Number.isSafeInteger(index) || (index as number) < 0) throw invalidCursor();
  return index as number;
}

export function invalidCursor(): GraftError {
  return new GraftError('INVALID_CURSOR', 'The cursor is malformed, or was made for another field or other arguments.');
}
