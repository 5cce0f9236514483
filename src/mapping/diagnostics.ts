/**
 * What `graftql check` and start-up report about a graph: each problem with
 * the SDL file, line and column it is about, and what was expected.
 */
import { type ASTNode, getLocation } from 'graphql';

export interface Diagnostic {
  /** `schema/content.graphql:12:45` */
  at: string;
  message: string;
}

export class GraphError extends Error {
  override name = 'GraphError';
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(`Invalid GraftQL graph:\n${diagnostics.map((diagnostic) => `  ${diagnostic.at}: ${diagnostic.message}`).join('\n')}`);
  }
}

/** `file:line:column` of a node, moved `offset` characters into it (into a string literal's text, past its quote). */
export function locate(node: ASTNode | null | undefined, offset = 0): string {
  const loc = node?.loc;
  if (!loc) return '(generated)';
  const quote = node.kind === 'StringValue' ? (node.block ? 3 : 1) : 0;
  const { line, column } = getLocation(loc.source, loc.start + quote + offset);
  return `${loc.source.name}:${line}:${column}`;
}

/** Collects problems instead of stopping at the first. */
export class Diagnostics {
  readonly list: Diagnostic[] = [];

  report(node: ASTNode | null | undefined, message: string, offset = 0): void {
    this.list.push({ at: locate(node, offset), message });
  }

  throwIfAny(): void {
    if (this.list.length > 0) throw new GraphError(this.list);
  }
}
