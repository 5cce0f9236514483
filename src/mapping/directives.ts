/**
 * The mapping directives: how a graph declares, in its SDL, the REST calls
 * behind its fields and how answers map onto its types. Every argument is
 * described here, in the SDL itself; docs/mapping.md has an example of each
 * and the error each misuse gives. The definitions (with the limit
 * directives of src/mapping/limit-directives.ts) are what `schema/directives.graphql`
 * holds for editors and codegen; the gateway adds any a graph leaves out,
 * and the served schema shows none of them.
 */
export const MAPPING_DIRECTIVES_SDL = /* GraphQL */ `
"""
Resolves a field with a REST call to a configured source. Values come from
templates: \`$args.name\` (the field's arguments), \`$parent.field\` (the parent's
upstream value of one of its fields, \`@internal\` ones included),
\`$header.name\` (an inbound header the source forwards), and, in
\`invalidates\`, \`$result.field\`. A value may add, subtract or multiply by a
number: \`"$args.days * 8"\`.
"""
directive @rest(
  "A source configured in graftql.config.ts."
  source: String!
  "The HTTP method. POST, PUT, PATCH and DELETE make the field a write: never cached or shared, retried only when idempotent."
  method: GraftMethod = GET
  "The path under the source's base URL; each {$…} value becomes exactly one encoded path segment."
  path: String!
  "Query parameters, name → value template or literal, in order; null values are left out, lists repeat the name."
  query: GraftMap
  "Request headers, name → value template or literal. An Idempotency-Key header makes a POST or PATCH retryable."
  headers: GraftMap
  "A JSON body: one template (\`$args.input\`, an input object sent with the upstream's field names) or a map of fields."
  body: GraftValue
  "A form-encoded body, name → value template or literal."
  form: GraftMap
  "A multipart/form-data body (docs/uploads.md): part name → value template; an \`Upload\` argument becomes a file part, anything else a text field."
  multipart: GraftMap
  "The raw body: an \`Upload\` argument (\`$args.file\`), sent as is with its content type."
  upload: String
  "Where the result sits in the answer, as a dot path (\`data\`, \`result.items\`); default: the whole answer."
  selection: String
  "A batch form: the calls of every parent in a request become one call per \`max\` keys."
  batch: GraftBatch
  "Pagination: the field returns a Relay connection over the source's pages."
  paginate: GraftPaginate
  "For a write that answers nothing useful: the field's value, an interpolated template such as \\"Article:{$args.id}\\"."
  result: String
  "Cached reads a write makes stale, as path templates (\`/users/{$result.authorId}/articles\`); \`*\` matches one segment."
  invalidates: [String!]
  "Upstream error answers mapped to client errors."
  errors: [GraftErrorMapping!]
  "Seconds the answer keeps when the source sends no Cache-Control."
  maxAge: Int
  "For a field of a union or interface type: the member every record of this call is."
  type: String
  "How the answer is read (docs/mapping.md, \\"answer\\"); default JSON. A content type that is not this format is UPSTREAM_BAD_RESPONSE."
  answer: GraftAnswer = JSON
  "How a list value goes in the query: REPEAT (ids=1&ids=2), COMMA (ids=1,2) or BRACKETS (ids[]=1&ids[]=2)."
  queryArrays: GraftQueryArrays = REPEAT
  "The upstream's spelling of names for this field's records and inputs, over its source's naming: \\"camelCase\\" or \\"snake_case\\"."
  naming: String
) on FIELD_DEFINITION

"Resolves a field as another root field would with these arguments (upstream values, not client ids): \`@ref(query: \\"user\\", args: { id: \\"$parent.authorId\\" })\`."
directive @ref(
  "A field of Query that has a @rest mapping."
  query: String!
  "Its arguments, name → value template."
  args: GraftMap!
) on FIELD_DEFINITION

"""
Resolves a field by calls in sequence, each as a Query field with a @rest
mapping would make it (batched and cached alike): a step's arguments read
\`$prev.field\` (the record the step before answered), \`$parent\`, \`$args\`
and \`$header\`. The last step's answer is the field's value; a step that
answers null ends the chain with null.
"""
directive @chain(
  "The calls, in order: [{ query: \\"order\\", args: { id: \\"$args.id\\" } }, { query: \\"customer\\", args: { id: \\"$prev.customerId\\" } }]."
  steps: [GraftChainStep!]!
) on FIELD_DEFINITION

input GraftChainStep {
  "A field of Query that has a @rest mapping."
  query: String!
  "Its arguments, name → value template (upstream values, as @ref takes them)."
  args: GraftMap!
}

"""
Where a field's value is in the upstream record, when not under its own name
(or the source's naming convention's spelling of it), and how to convert it.
On an enum value: the upstream's spelling of it.
"""
directive @from(
  "A dot path into the record: \`main.temp\`, \`weather.0.description\`."
  path: String
  "A conversion of the upstream value."
  as: GraftConversion
  "On an enum value: the value the upstream sends for it."
  value: String
) on FIELD_DEFINITION | INPUT_FIELD_DEFINITION | ENUM_VALUE

"""
A field computed from the upstream record by an expression (docs/mapping.md,
"@compute"): names read the record as the upstream spells it
(\`first_name\`, \`address.city\`, \`items.0.sku\`); strings in single quotes;
templates in backticks with \${…} parts; \`+ - * / %\`, comparisons,
\`&& || !\`, \`a ?? b\`, \`c ? a : b\`; and methods: \`items.map(i => i.name)\`,
\`filter\`, \`sortBy\`, \`first()\`, \`last()\`, \`join(', ')\`, \`sum()\`, \`length()\`,
\`upper()\`, \`lower()\`, \`trim()\`, \`round()\`, \`number()\`, \`string()\`.
Checked at start-up against the field's type; never fails at run time (a
value of the wrong kind makes null).
"""
directive @compute(
  "The expression."
  expr: String!
) on FIELD_DEFINITION

"""
A Subscription field fed by a source's webhook events (docs/webhooks.md).
Each verified event of one of \`types\` that passes \`filter\` is one
message: the object at \`selection\` in the event, mapped like a REST
answer, or with \`fetch\`, the current object read through a Query field
with the subscriber's own credentials. Templates read \`$event.…\` (the
event as the source sent it) and \`$args.…\`.
"""
directive @event(
  "A source configured in graftql.config.ts with \`webhooks\`."
  source: String!
  "The event types that feed the field, as the source names them: [\\"article.updated\\"]."
  types: [String!]!
  "Where the object is in the event, as a dot path. @default \\"data\\""
  selection: String
  "Argument → event value: an event passes when, for each argument given, its value equals the event's (\`{ id: \\"$event.data.id\\" }\`); an argument left out matches every event."
  filter: GraftMap
  "Read the object through a Query field with a @rest mapping instead: \`{ query: \\"article\\", args: { id: \\"$event.data.id\\" } }\`."
  fetch: GraftEventFetch
) on FIELD_DEFINITION

input GraftEventFetch {
  "A field of Query that has a @rest mapping."
  query: String!
  "Its arguments, name → value template (upstream values, as @ref takes them)."
  args: GraftMap!
}

"""
Which member of a union or interface an upstream record is, tried in
order: the value of \`field\` (through \`values\`, or the member's own name),
then the first \`has\` field present, then \`default\`. A record nothing picks
is UPSTREAM_BAD_RESPONSE.
"""
directive @discriminate(
  "The record's field that names its type, as a dot path: \`kind\`, \`meta.type\`."
  field: String
  "The field's values → members: \`{ article: \\"Article\\" }\`, or \`[\\"blog-post: Article\\"]\`; default: the value is the member's name."
  values: GraftMap
  "A field whose presence picks a member, in order: \`{ isbn: \\"Book\\", runtime: \\"Film\\" }\`."
  has: GraftMap
  "The member when nothing else decides."
  default: String
) on UNION | INTERFACE

"A field mapped from the upstream record, usable in templates (\`$parent.authorId\`), left out of the served schema."
directive @internal on FIELD_DEFINITION

"""
Global ids: the type's \`id\` field answers \`<Type>:<key>\`. With \`fetch\`,
\`Query.node(id:)\` refetches it (required for a type that implements Node).
"""
directive @node(
  "The field holding the upstream id."
  key: String = "id"
  "A field of Query, with one argument \`id\`, that loads one by id."
  fetch: String
) on OBJECT

"The argument or input field takes a global id of this type (\`User:17\`) and passes on its upstream id (\`17\`); an id of another type is BAD_USER_INPUT."
directive @globalId(
  "A type with @node."
  type: String!
) on ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION

"How a list value goes in a query string."
enum GraftQueryArrays {
  REPEAT
  COMMA
  BRACKETS
}

"How an upstream answer is read."
enum GraftAnswer {
  "application/json or any +json type."
  JSON
  "A JSON:API document: \`data\` as records, attributes as fields, relationships as the included resources they name."
  JSON_API
  "text/plain, as a String."
  TEXT
  "text/csv: a list of rows, by the header line's names; values are text."
  CSV
  "application/xml or text/xml: elements and attributes as fields; values are text."
  XML
  "Newline-delimited JSON: a list."
  NDJSON
  "Whichever of these the content type says."
  AUTO
}

enum GraftMethod {
  GET
  POST
  PUT
  PATCH
  DELETE
}

"A map literal: { name: \\"value or $template\\", … }."
scalar GraftMap

"A template string, or a map literal."
scalar GraftValue

input GraftBatch {
  "The value each parent (or call) contributes: \`$parent.authorId\`, \`$args.id\`."
  key: String!
  "The query parameter (COMMA, REPEAT) or body field (BODY) that carries the keys."
  param: String!
  "COMMA: ?ids=1,2,3. REPEAT: ?id=1&id=2. BODY: a POST with { param: [keys] }."
  style: GraftBatchStyle = REPEAT
  "The field of each result row that holds its key, by its name in the returned type."
  match: String = "id"
  "Most keys in one call."
  max: Int = 100
}

enum GraftBatchStyle {
  COMMA
  REPEAT
  BODY
}

input GraftPaginate {
  "How the source pages; default: the source's \`pagination.style\` in the config."
  style: GraftPaging
  "Where a page's items are in the answer (dot path); default: the answer itself."
  items: String
  "Where the total item count is (OFFSET, PAGE, LINK)."
  total: String
  "Where the page count is (PAGE)."
  pages: String
  "Where the page number the source says it sent is (PAGE): a page past the end answered as another page counts as empty."
  current: String
  "Where the next page's cursor is (CURSOR)."
  next: String
  "Where the previous page's cursor is (CURSOR); without it, the connection pages forward only."
  prev: String
  "The offset, page or cursor query parameter; default offset, page, cursor."
  param: String
  "The page-size query parameter; default limit (OFFSET, CURSOR), per_page (PAGE, LINK)."
  size: String
  "The largest page the source serves; default: the source's maxPageSize."
  pageSize: Int
  "A batch form for the first page of many parents at once."
  firstPage: GraftFirstPage
}

enum GraftPaging {
  "?offset=&limit=, with a total."
  OFFSET
  "?page=&per_page=, with a total or a page count."
  PAGE
  "?cursor= from the previous answer's next (and prev) cursor."
  CURSOR
  "RFC 8288 Link headers: rel=next, prev, last."
  LINK
}

input GraftFirstPage {
  "The batch endpoint's path."
  path: String!
  "Fixed query parameters."
  query: GraftMap
  "Each parent's key: \`$parent.id\`."
  key: String!
  "The parameter that carries the keys."
  param: String!
  style: GraftBatchStyle = REPEAT
  "The field of each row that names its parent, by its name in the node type."
  match: String!
  "The parameter that says how many rows each parent gets."
  size: String!
  "Where the rows are in the answer."
  items: String
  max: Int = 100
}

input GraftErrorMapping {
  "The upstream status this applies to."
  status: Int!
  "The code the client gets (with code, the answer is a GraphQL error)."
  code: GraftErrorCode
  "Where in the error answer the message for the client is: a string, or a list of strings or of { field, message }."
  message: String
  "A member of the field's union (with type, the answer is data): the error answer's body, with its status, mapped as that type."
  type: String
}

enum GraftErrorCode {
  BAD_USER_INPUT
  NOT_FOUND
  UNAUTHENTICATED
  FORBIDDEN
  UPSTREAM_ERROR
}

enum GraftConversion {
  "A JSON number from a numeric string (or the reverse direction's string from a number)."
  NUMBER
  "A string from a number."
  STRING
  "The nearest integer."
  ROUNDED
  "ISO 8601 from Unix seconds."
  DATE_TIME_FROM_UNIX_SECONDS
  "ISO 8601 from Unix milliseconds."
  DATE_TIME_FROM_UNIX_MILLISECONDS
}
`;

/** What the served schema leaves out: the mapping directives and their argument types. */
export const MAPPING_DIRECTIVE_NAMES = [
  'rest',
  'ref',
  'chain',
  'event',
  'from',
  'compute',
  'internal',
  'node',
  'globalId',
] as const;
export const MAPPING_TYPE_NAMES = [
  'GraftMethod',
  'GraftAnswer',
  'GraftQueryArrays',
  'GraftMap',
  'GraftValue',
  'GraftBatch',
  'GraftBatchStyle',
  'GraftPaginate',
  'GraftPaging',
  'GraftFirstPage',
  'GraftErrorMapping',
  'GraftErrorCode',
  'GraftConversion',
  'GraftEventFetch',
  'GraftChainStep',
] as const;
