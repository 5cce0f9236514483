/**
 * Opaque, signed connection cursors. A cursor is
 * `<position>.<key id>.<mac>`: the upstream position as base64url JSON, the
 * id of the key that signed it, and an HMAC-SHA256 (128 bits) over the key
 * id, the position and the connection's scope (its field and filter
 * arguments). A cursor that was altered, forged, or made for another field,
 * other filters or by a key this gateway does not hold is INVALID_CURSOR,
 * before any upstream call; so an upstream position (a page number, a body
 * cursor, a link) only ever goes back to the list it came from.
 *
 * Keys rotate by id: the first configured key signs, every configured key
 * verifies. Without configured keys, each process draws a random one.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { GraftError } from '../errors.ts';

export interface CursorKey {
  id: string;
  secret: string;
}

/** The cursors of one connection: a field and the arguments that filter it. */
export interface CursorScope {
  encode(position: unknown): string;
  /** The position inside a cursor of this scope, or INVALID_CURSOR. */
  decode(cursor: string): unknown;
  /** The item index inside a cursor of an index-addressed connection (offset, page number). */
  decodeIndex(cursor: string): number;
}

export type ScopeParts = ReadonlyArray<string | number | null | undefined>;

export interface CursorCodec {
  /** A scope per connection: `scope('Article.comments', articleId)`. */
  scope(...parts: ScopeParts): CursorScope;
  /** The same, with parts worked out only when a cursor is first made or read (most lists are never asked for one). */
  scopeLater(parts: () => ScopeParts): CursorScope;
}

const MAX_CURSOR = 2_048;
const SHAPE = /^([\w-]+)\.([\w-]{1,16})\.([\w-]{22})$/;

export function createCursorCodec(
  keys: readonly CursorKey[] = [{ id: 'r', secret: randomBytes(32).toString('base64url') }],
): CursorCodec {
  const [signing] = keys;
  if (!signing) throw new Error('createCursorCodec needs at least one key');
  const signer: Signer = { signing, secrets: new Map(keys.map((key) => [key.id, key.secret])) };
  return { scope: (...parts) => new Scope(signer, parts), scopeLater: (parts) => new Scope(signer, parts) };
}

interface Signer {
  signing: CursorKey;
  secrets: ReadonlyMap<string, string>;
}

const mac = (secret: string, keyId: string, payload: string, print: string) =>
  createHmac('sha256', secret).update(`${keyId}\n${print}\n${payload}`).digest().subarray(0, 16).toString('base64url');

/** A class, not closures: a request makes one per connection it lists (50 for the README's query), and most never make a cursor. */
class Scope implements CursorScope {
  /** Digested when a cursor is first made or read. */
  #print: string | undefined;

  readonly #signer: Signer;
  readonly #parts: ScopeParts | (() => ScopeParts);

  constructor(signer: Signer, parts: ScopeParts | (() => ScopeParts)) {
    this.#signer = signer;
    this.#parts = parts;
  }

  get #fingerprint(): string {
    this.#print ??= fingerprint(...(typeof this.#parts === 'function' ? this.#parts() : this.#parts));
    return this.#print;
  }

  encode(position: unknown): string {
    const { signing } = this.#signer;
    const payload = Buffer.from(JSON.stringify(position)).toString('base64url');
    return `${payload}.${signing.id}.${mac(signing.secret, signing.id, payload, this.#fingerprint)}`;
  }

  decode(cursor: string): unknown {
    const match = cursor.length <= MAX_CURSOR ? SHAPE.exec(cursor) : null;
    const secret = match ? this.#signer.secrets.get(match[2] as string) : undefined;
    if (!match || secret === undefined) throw invalidCursor();
    const [, payload, keyId, given] = match as unknown as [string, string, string, string];
    // Compared as text: two base64url spellings of one digest must not both pass.
    const expected = Buffer.from(mac(secret, keyId, payload, this.#fingerprint));
    if (!timingSafeEqual(expected, Buffer.from(given))) throw invalidCursor();
    try {
      return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    } catch {
      throw invalidCursor();
    }
  }

  decodeIndex(cursor: string): number {
    const index = this.decode(cursor);
    if (!Number.isSafeInteger(index) || (index as number) < 0) throw invalidCursor();
    return index as number;
  }
}

/** A short, stable digest of what a connection lists: field plus filter arguments. */
export function fingerprint(...parts: ScopeParts): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

export function invalidCursor(): GraftError {
  return new GraftError(
    'INVALID_CURSOR',
    'The cursor is malformed, was altered, or was made for another field or other arguments.',
  );
}
