/**
 * The Apollo Federation 2 directives a graph may use on its types and
 * fields (`@key`, `@shareable`, `@external`, `@requires`, ...): defined
 * here so that a graph's SDL may carry them, served only in the subgraph
 * SDL (`_service { sdl }`), where `@link` imports them.
 */

/** The version of the federation spec the subgraph SDL links. */
export const FEDERATION_SPEC = 'https://specs.apollo.dev/federation/v2.3';

export const FEDERATION_DIRECTIVES_SDL = `
"Federation: an entity's key, by which other subgraphs refer to it. A @node(fetch:) type is an entity keyed by id without it. resolvable: false: this subgraph only refers to the entity."
directive @key(fields: String!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE

"Federation: a field (or every field of a type) other subgraphs may resolve too."
directive @shareable repeatable on OBJECT | FIELD_DEFINITION

"Federation: a field another subgraph resolves; this one receives it in the entity's representation."
directive @external on OBJECT | FIELD_DEFINITION

"Federation: the @external fields a field needs from the entity's representation (read as $parent.<field>)."
directive @requires(fields: String!) on FIELD_DEFINITION

"Federation: the fields of the returned entity this field's answer already holds."
directive @provides(fields: String!) on FIELD_DEFINITION

"Federation: hidden from the supergraph's clients."
directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION

"Federation: a tag for contracts."
directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION

"Federation: this subgraph now resolves a field another subgraph resolved."
directive @override(from: String!) on FIELD_DEFINITION

"Federation: the specs the subgraph SDL links. GraftQL writes its own @link in the subgraph SDL; one in the graph is not read."
directive @link(url: String!, import: [String!]) repeatable on SCHEMA
`;

/** The names above, without their `@`: what the subgraph SDL keeps of a graph's directive uses (with the built-in ones). */
export const FEDERATION_DIRECTIVE_NAMES: readonly string[] = [
  'key',
  'shareable',
  'external',
  'requires',
  'provides',
  'inaccessible',
  'tag',
  'override',
];
