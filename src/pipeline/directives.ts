/**
 * The directives a schema may use to tell the pipeline what its limits
 * cannot guess: how many objects a field costs, how long its lists are,
 * and how long a string argument may be. `@cost` and `@listSize` follow the
 * IBM GraphQL Cost Directives specification as Apollo and Hive implement
 * it. The gateway adds any of these definitions a graph's SDL leaves out;
 * a graph that declares one must declare it exactly as here.
 */
import { Kind, parse, print, type DirectiveDefinitionNode } from 'graphql';
import { ConfigError } from '../config/resolve-config.ts';

export const LIMIT_DIRECTIVES_SDL = /* GraphQL */ `
"""
What one value of this field or type costs in the estimate the gateway makes
before executing (\`limits.maxCost\`). Objects cost 1 and scalars 0 unless said
otherwise.
"""
directive @cost(
  "Objects one value counts as; 0 makes it free."
  weight: Int!
) on FIELD_DEFINITION | OBJECT

"""
How many items a list field returns, for the cost estimate. Without it, a
connection (a type with an \`edges\` list) is sized by \`first\`/\`last\` (default
20) and any other list by \`limits.defaultListSize\`.
"""
directive @listSize(
  "Items to assume when no slicing argument is given."
  assumedSize: Int
  "Arguments whose value bounds the list, e.g. [\\"first\\", \\"last\\"]."
  slicingArguments: [String!]
  "Fields of the returned object that hold the sized list, e.g. [\\"edges\\"]; empty: the field itself is the list."
  sizedFields: [String!]
) on FIELD_DEFINITION

"""
The longest value a String or ID argument or input field accepts, in
characters, instead of \`limits.maxStringLength\` / \`limits.maxIdLength\`.
"""
directive @length(
  "Characters at most."
  max: Int!
) on ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION
`;

/** Directive definitions by name, printed without descriptions, to compare a graph's own declaration with ours. */
export function directiveSignatures(sdl: string): Map<string, string> {
  const signatures = new Map<string, string>();
  for (const definition of parse(sdl).definitions) {
    if (definition.kind !== Kind.DIRECTIVE_DEFINITION) continue;
    signatures.set(definition.name.value, print(withoutDescriptions(definition)));
  }
  return signatures;
}

function withoutDescriptions(definition: DirectiveDefinitionNode): DirectiveDefinitionNode {
  return { ...definition, description: undefined, arguments: definition.arguments?.map((argument) => ({ ...argument, description: undefined })) };
}

/**
 * The graph's SDL with the definitions of our directives it leaves out
 * added. One it declares itself must match ours (its descriptions aside),
 * or start-up fails: a stale copy would mean different limits than it says.
 */
export function withLimitDirectives(typeDefs: readonly string[]): string[] {
  const ours = directiveSignatures(LIMIT_DIRECTIVES_SDL);
  const declared = new Set<string>();
  for (const sdl of typeDefs) {
    for (const [name, signature] of directiveSignatures(sdl)) {
      const expected = ours.get(name);
      if (expected !== undefined && expected !== signature) throw new ConfigError(`Invalid GraftQL schema:\n  - @${name} is declared as\n      ${signature}\n    but GraftQL defines it as\n      ${expected}`);
      declared.add(name);
    }
  }
  const missing = parse(LIMIT_DIRECTIVES_SDL).definitions.filter((definition) => definition.kind === Kind.DIRECTIVE_DEFINITION && !declared.has(definition.name.value));
  return missing.length === 0 ? [...typeDefs] : [...typeDefs, print({ kind: Kind.DOCUMENT, definitions: missing })];
}
