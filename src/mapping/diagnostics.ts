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
    super(
      `Invalid GraftQL graph:\n${diagnostics.map((diagnostic) => `  ${diagnostic.at}: ${diagnostic.message}`).join('\n')}`,
    );
  }
}

/** `file:line:column` of a node, or of the character `offset` into a string literal's text (past its quote). */
export function locate(node: ASTNode | null | undefined, offset?: number): string {
  const loc = node?.loc;
  if (!loc) return '(generated)';
  const into = offset === undefined ? 0 : offset + (node.kind === 'StringValue' ? (node.block ? 3 : 1) : 0);
  const { line, column } = getLocation(loc.source, loc.start + into);
  return `${loc.source.name}:${line}:${column}`;
}

/** Collects problems instead of stopping at the first. */
export class Diagnostics {
  readonly list: Diagnostic[] = [];

  /** `offset`: where in a template string the problem is. */
  report(node: ASTNode | null | undefined, message: string, offset?: number): void {
    this.list.push({ at: locate(node, offset), message });
  }

  throwIfAny(): void {
    if (this.list.length > 0) throw new GraphError(this.list);
  }
}
