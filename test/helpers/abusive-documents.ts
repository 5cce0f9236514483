/**
 * The documents that took the gateway down before it had document limits
 * (the pipeline-and-limits issue), each with the codes it must now be
 * refused with. Shared by test/e2e/abusive-documents.test.ts and
 * scripts/abuse-soak.ts.
 */

/** `user → articles(first: 5) → author → articles …`, the 522-byte loop of the report, 38 levels deep. */
function loop(levels: number): string {
  let selection = 'name';
  for (let i = 0; i < levels; i++)
    selection = i % 2 ? `author { ${selection} }` : `articles(first: 5) { edges { node { ${selection} } } }`;
  return `{ user(id: "User:1") { ${selection} } }`;
}

/** Each fragment selects the next twice under two aliases: 2^10 copies of the innermost selection. */
function fragmentBomb(levels: number): string {
  const fragments = Array.from(
    { length: levels },
    (_, i) =>
      `fragment F${i} on User { a: articles(first: 5) { edges { node { author { ...F${i + 1} } } } } b: articles(first: 5) { edges { node { author { ...F${i + 1} } } } } }`,
  );
  return `{ user(id: "User:1") { ...F0 } } ${fragments.join(' ')} fragment F${levels} on User { name }`;
}

const nested = (levels: number) => `{ user(id: "User:1") { ${'a { '.repeat(levels)}${'}'.repeat(levels)} } }`;
const many = (count: number, field: (i: number) => string) =>
  `{ ${Array.from({ length: count }, (_, i) => field(i)).join(' ')} }`;

export const ABUSIVE_DOCUMENTS: Array<[name: string, query: string, codes: string[]]> = [
  ['the 522-byte loop, 38 levels deep', loop(38), ['MAX_DEPTH_LIMIT']],
  [
    'a fragment bomb',
    fragmentBomb(10),
    ['MAX_DEPTH_LIMIT', 'MAX_ALIASES_LIMIT', 'COST_ESTIMATED_TOO_EXPENSIVE', 'UPSTREAM_CALL_BUDGET_EXCEEDED'],
  ],
  [
    '5,000 aliases of an upstream field (over the token limit first)',
    many(5_000, (i) => `a${i}: user(id: "User:1") { name }`),
    ['GRAPHQL_PARSE_FAILED'],
  ],
  ['31 aliases', many(31, (i) => `a${i}: __typename`), ['MAX_ALIASES_LIMIT', 'MAX_ROOT_FIELDS_LIMIT']],
  ['1,000 root fields', many(1_000, (i) => `r${i}: __typename`), ['MAX_ALIASES_LIMIT', 'MAX_ROOT_FIELDS_LIMIT']],
  [
    '10,000 directives (over the token limit first)',
    `{ __typename ${'@skip(if: false) '.repeat(10_000)}}`,
    ['GRAPHQL_PARSE_FAILED'],
  ],
  ['51 directives', `{ __typename ${'@skip(if: false) '.repeat(51)}}`, ['MAX_DIRECTIVES_LIMIT']],
  ['depth 200', nested(200), ['MAX_DEPTH_LIMIT']],
  ['depth 2,000', nested(2_000), ['MAX_DEPTH_LIMIT']],
  ['depth 100,000', nested(100_000), ['MAX_DEPTH_LIMIT']],
  [
    'a million-node estimate',
    '{ users(first: 100) { edges { node { articles(first: 100) { edges { node { comments(first: 100) { edges { node { body } } } } } } } } } }',
    ['COST_ESTIMATED_TOO_EXPENSIVE', 'UPSTREAM_CALL_BUDGET_EXCEEDED'],
  ],
];
