/**
 * Global ids for `Node`: `<Type>:<upstream id>`, readable on purpose. The
 * upstream part is still untrusted input: it reaches upstream URLs only
 * through the `path` tag or URLSearchParams.
 */
import { badUserInput } from '../errors.ts';

export type NodeType = 'User' | 'Article' | 'Comment';

export function toGlobalId(type: NodeType, id: string): string {
  return `${type}:${id}`;
}

export function fromGlobalId(globalId: string): { type: string; id: string } {
  const colon = globalId.indexOf(':');
  if (colon <= 0) throw badUserInput(`"${globalId.slice(0, 64)}" is not a global id of the form <Type>:<id>.`);
  return { type: globalId.slice(0, colon), id: globalId.slice(colon + 1) };
}

/** The upstream id inside a global id of the expected type. */
export function idOf(globalId: string, expected: NodeType): string {
  const { type, id } = fromGlobalId(globalId);
  if (type !== expected) throw badUserInput(`Expected a ${expected} id, got a ${type.slice(0, 32)} id.`);
  return id;
}
