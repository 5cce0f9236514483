/**
 * Argument values as the upstream expects them, by the decoding the
 * compiler planned (plan.ts, ValueDecoding): global ids to upstream ids,
 * enum values to the upstream's spelling.
 */
import { badUserInput } from '../../errors.ts';
import type { ArgumentDecoding, ValueDecoding } from '../plan.ts';

export type ArgumentDecoder = (args: Record<string, unknown>) => Record<string, unknown>;

/** Decodes a field's arguments; undefined when none needs it (the arguments are used as they are). */
export function argumentDecoder(decoding: ArgumentDecoding): ArgumentDecoder | undefined {
  if (decoding.length === 0) return undefined;
  const decoders = decoding.map(([name, value]) => [name, valueDecoder(value)] as const);
  return (args) => decodeFields(args, decoders);
}

function valueDecoder(decoding: ValueDecoding): (value: unknown) => unknown {
  switch (decoding.kind) {
    case 'globalId': {
      const { type } = decoding;
      return (value) =>
        Array.isArray(value) ? value.map((item) => decodeGlobalId(item, type)) : decodeGlobalId(value, type);
    }
    case 'enum': {
      const one = (value: unknown) => decoding.spelled.get(value as string) ?? value;
      return (value) => (Array.isArray(value) ? value.map(one) : one(value));
    }
    case 'list': {
      const item = valueDecoder(decoding.item);
      return (value) => (Array.isArray(value) ? value.map(item) : item(value));
    }
    case 'object': {
      const fields = decoding.fields.map(([name, field]) => [name, valueDecoder(field)] as const);
      return (value) =>
        typeof value === 'object' && value !== null ? decodeFields(value as Record<string, unknown>, fields) : value;
    }
  }
}

/** A copy of `values` with each named, non-null field decoded. */
function decodeFields(
  values: Record<string, unknown>,
  decoders: ReadonlyArray<readonly [string, (value: unknown) => unknown]>,
): Record<string, unknown> {
  const decoded = { ...values };
  for (const [name, decode] of decoders)
    if (decoded[name] !== undefined && decoded[name] !== null) decoded[name] = decode(decoded[name]);
  return decoded;
}

/** `User:17` -> `{ type: 'User', id: '17' }`, or BAD_USER_INPUT for a value not of that form. */
export function splitGlobalId(value: unknown): { type: string; id: string } {
  const text = String(value);
  const colon = text.indexOf(':');
  if (colon <= 0) throw badUserInput(`"${text.slice(0, 64)}" is not a global id of the form <Type>:<id>.`);
  return { type: text.slice(0, colon), id: text.slice(colon + 1) };
}

/** `User:17` -> `17`, or BAD_USER_INPUT for a malformed id or one of another type. */
export function decodeGlobalId(value: unknown, expected: string): string {
  const { type, id } = splitGlobalId(value);
  if (type !== expected) throw badUserInput(`Expected a ${expected} id, got a ${type.slice(0, 32)} id.`);
  return id;
}
