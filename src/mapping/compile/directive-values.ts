/** Our directives' enum- and input-typed arguments, checked against their declared types. */
import { type ConstDirectiveNode, type GraphQLSchema, valueFromAST } from 'graphql';
import type { Diagnostics } from '../diagnostics.ts';

/** Checks the enum-typed and input-typed arguments of our directives against their declared types. */
export function checkDirectiveValues(
  schema: GraphQLSchema,
  nodes: Iterable<{ astNode?: { directives?: readonly ConstDirectiveNode[] } | null | undefined }>,
  diagnostics: Diagnostics,
): void {
  for (const holder of nodes) {
    for (const used of holder.astNode?.directives ?? []) {
      const definition = schema.getDirective(used.name.value);
      for (const argument of used.arguments ?? []) {
        const declared = definition?.args.find((candidate) => candidate.name === argument.name.value);
        if (declared && valueFromAST(argument.value, declared.type) === undefined) {
          diagnostics.report(
            argument.value,
            `@${used.name.value}(${argument.name.value}) expects ${String(declared.type)}.`,
          );
        }
      }
    }
  }
}
