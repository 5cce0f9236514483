/**
 * The directives a schema may use to tell the pipeline what its limits
 * cannot guess: how many objects a field costs, how long its lists are,
 * and how long a string argument may be. `@cost` and `@listSize` follow the
 * IBM GraphQL Cost Directives specification as Apollo and Hive implement
 * it. `@length` and `@range` bound argument values (argument-bounds.ts).
 */

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
How long a String or ID argument or input field may be, in characters; \`max\`
replaces \`limits.maxStringLength\` / \`limits.maxIdLength\`. Outside it:
BAD_USER_INPUT, before any upstream call.
"""
directive @length(
  "Characters at least."
  min: Int
  "Characters at most."
  max: Int
) on ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION

"The values an Int or Float argument or input field accepts. Outside them: BAD_USER_INPUT, before any upstream call."
directive @range(
  "The smallest value."
  min: Float
  "The largest value."
  max: Float
) on ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION
`;
